/**
 * Bytes a Flux store on OCI (sync.source `oci`) exchanges with the registry at a poll that finds
 * nothing new: go-containerregistry's unauthenticated ping of `/v2/` (source-controller makes a new
 * client at every reconcile) and the HEAD of its tag in its own repository, requests and responses
 * with their HTTP headers, with basic auth. It does not depend on the number of stores in the fleet.
 * A registry with bearer tokens adds a token request; a TLS handshake per connection comes on top,
 * its size set by the registry's certificate chain.
 *
 * Measured: the real source-controller v1.9.6 against distribution v3.1.2 behind nginx's basic auth,
 * the same at 100 and 10,000 stores (bench/oci-downloads.ts, e2e/scenarios/oci-artifacts.e2e.ts);
 * see docs/store-branches-and-publish.md.
 */
export const OCI_IDLE_POLL_BYTES = 1485;
