// A tiny real DNS server on a free loopback UDP port, answering SRV and A records from a zone the test
// edits while it runs (dns-packet encodes and decodes; see docs/decisions.md). Unknown names get
// NXDOMAIN. Daemons reach it through PATRONI_TS_DNS_SERVERS=<address>.
import dgram from 'node:dgram';
import dnsPacket, { type Answer, type SrvData } from 'dns-packet';

export interface TestDns {
  /** 127.0.0.1:PORT, the value for PATRONI_TS_DNS_SERVERS. */
  address: string;
  /** Every question asked so far, as `TYPE name`. */
  queries: string[];
  /** Replace the SRV targets of `name` ([] removes the name). */
  setSrv(name: string, targets: SrvData[]): void;
  setA(name: string, address: string): void;
  close(): Promise<void>;
}

const NXDOMAIN = 3;

export async function startTestDns(): Promise<TestDns> {
  const srv = new Map<string, SrvData[]>();
  const a = new Map<string, string>();
  const queries: string[] = [];
  const socket = dgram.createSocket('udp4');
  const key = (name: string) => name.toLowerCase().replace(/\.$/, '');

  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    let known = false;
    for (const q of query.questions ?? []) {
      queries.push(`${q.type} ${q.name}`);
      const targets = srv.get(key(q.name));
      const address = a.get(key(q.name));
      known ||= targets !== undefined || address !== undefined;
      if (q.type === 'SRV' && targets) {
        for (const t of targets) {
          answers.push({ type: 'SRV', name: q.name, ttl: 1, data: t });
          const glue = a.get(key(t.target));
          if (glue) additionals.push({ type: 'A', name: t.target, ttl: 1, data: glue });
        }
      }
      if (q.type === 'A' && address) answers.push({ type: 'A', name: q.name, ttl: 1, data: address });
    }
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | (known ? 0 : NXDOMAIN),
      questions: query.questions ?? [],
      answers,
      additionals,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // Port 0: the kernel picks a free UDP port, so parallel tests never collide.
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    queries,
    setSrv: (name, targets) => {
      if (targets.length === 0) srv.delete(key(name));
      else srv.set(key(name), targets);
    },
    setA: (name, address) => a.set(key(name), address),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
