// patronictl's REST client is Patroni's PatroniRequest, shared with the daemon's peer calls.
export { endpointUrl, requestPatroni, type RestResponse } from '../util/patroni-request.js';
