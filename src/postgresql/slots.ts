// Physical replication slot names for members (dcs.md §3.10), shared by primary_slot_name and the
// primary's slot maintenance so both sides agree on the name.

/** Patroni's slot_name_from_member_name: lowercase, `-`/`.` -> `_`, others -> `u` + 4-digit decimal code point. */
export function slotNameFromMemberName(memberName: string): string {
  let out = '';
  for (const c of memberName.toLowerCase()) {
    if (/[a-z0-9_]/.test(c)) out += c;
    else if (c === '-' || c === '.') out += '_';
    else out += `u${String(c.codePointAt(0) ?? 0).padStart(4, '0')}`;
  }
  return out.slice(0, 63);
}

export interface SlotChanges { create: string[]; drop: string[] }

/**
 * Which physical slots the primary must create/drop so that exactly the given members have one.
 * `existing` are the physical slot names present now; the primary's own name never gets a slot.
 */
export function planMemberSlots(myName: string, memberNames: string[], existing: string[]): SlotChanges {
  const mine = slotNameFromMemberName(myName);
  const wanted = new Set(memberNames.map(slotNameFromMemberName).filter((s) => s !== mine));
  const have = new Set(existing);
  return {
    create: [...wanted].filter((s) => !have.has(s)).sort(),
    drop: [...have].filter((s) => !wanted.has(s)).sort(),
  };
}
