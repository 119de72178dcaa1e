/**
 * Bytes a Flux store on OCI (sync.source `oci`) exchanges with the registry at a poll that finds
 * nothing new: the HEAD of its tag in its own repository, after the registry's auth challenge (the
 * `/v2/` ping), requests and responses with their HTTP headers. It does not depend on the number of
 * stores in the fleet. A TLS handshake per connection comes on top, its size set by the registry's
 * certificate chain.
 *
 * Measured: end-to-end suite (e2e/scenarios/oci-artifacts.e2e.ts), the real source-controller v1.9.6
 * against distribution v3.1.2 behind nginx's basic auth; see docs/store-branches-and-publish.md.
 */
export const OCI_IDLE_POLL_BYTES = 1780;
