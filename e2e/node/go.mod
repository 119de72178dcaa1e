// The programs of the end-to-end suite's real node (the app stand-in, the Wasm stand-in runtime,
// pack-image), built by e2e/build-node.sh into the suite's cache; not part of the package.
module edgefleet.e2e/node

go 1.26

// wazero: the pure-Go Wasm runtime behind the suite's Wasm stand-in (wasi-run); not WasmEdge.
require github.com/tetratelabs/wazero v1.12.0

require golang.org/x/sys v0.44.0 // indirect
