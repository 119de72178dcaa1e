// Command wasi-run is the end-to-end suite's stand-in for WasmEdge: it runs a WASI (preview 1) module
// with wazero (github.com/tetratelabs/wazero, pure Go), inside the container that wasm-runc prepared.
// It proves that a pod on the `wasmedge` RuntimeClass reaches a Wasm runtime with the app's manifest
// (its environment, its arguments, its port); it is NOT WasmEdge and says nothing about WasmEdge's
// behaviour, its socket extensions or its containerd shim.
//
// Usage: wasi-run <module.wasm> [args...]
//
// The module gets the container's environment and arguments, stdio, the clocks, a random source and
// the container's file system at /. WASI preview 1 cannot open sockets, so wasi-run pre-opens the TCP
// listeners that EDGEFLEET_WASI_TCP_LISTEN names (comma-separated host:port, from the image's config),
// numbered after the pre-opened directory. SIGTERM or SIGINT ends the module and exits 0.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sock"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wasi-run <module.wasm> [args...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Args[1:]))
}

func run(file string, args []string) int {
	code, err := os.ReadFile(file)
	if err != nil {
		return fail(err)
	}
	ctx, err := withListeners(context.Background(), os.Getenv("EDGEFLEET_WASI_TCP_LISTEN"))
	if err != nil {
		return fail(err)
	}
	runtime := wazero.NewRuntime(ctx)
	defer runtime.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, runtime)

	config := wazero.NewModuleConfig().
		WithArgs(args...).
		WithStdin(os.Stdin).WithStdout(os.Stdout).WithStderr(os.Stderr).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/"))
	for _, variable := range os.Environ() {
		if name, value, ok := strings.Cut(variable, "="); ok {
			config = config.WithEnv(name, value)
		}
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		fmt.Fprintf(os.Stderr, "wasi-run: %v, ending %s\n", <-stop, file)
		os.Exit(0)
	}()

	// Compiled to machine code, then the compilation's garbage handed back to the OS: the stand-in
	// module (3.7 MB) then starts in about 3 s and runs in under 40 MiB, within the Wasm app's
	// default 128Mi limit. Interpreted, it needed 95-130 MiB.
	compiled, err := runtime.CompileModule(ctx, code)
	if err != nil {
		return fail(err)
	}
	code = nil
	debug.FreeOSMemory()
	_, err = runtime.InstantiateModule(ctx, compiled, config)
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return int(exit.ExitCode())
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// withListeners registers a pre-opened TCP listener for each host:port of the comma-separated list.
func withListeners(ctx context.Context, list string) (context.Context, error) {
	if list == "" {
		return ctx, nil
	}
	config := sock.NewConfig()
	for _, address := range strings.Split(list, ",") {
		host, portText, err := net.SplitHostPort(strings.TrimSpace(address))
		if err != nil {
			return nil, fmt.Errorf("EDGEFLEET_WASI_TCP_LISTEN %q: %w", list, err)
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			return nil, fmt.Errorf("EDGEFLEET_WASI_TCP_LISTEN %q: port %q: %w", list, portText, err)
		}
		config = config.WithTCPListener(host, port)
	}
	return sock.WithConfig(ctx, config), nil
}

func fail(err error) int {
	fmt.Fprintf(os.Stderr, "wasi-run: %v\n", err)
	return 1
}
