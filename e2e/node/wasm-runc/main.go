// Command wasm-runc is the OCI runtime that the suite's containerd runs for the `wasmedge` handler
// (the BinaryName of an io.containerd.runc.v2 runtime): it is runc, except that a container whose
// entrypoint is a `.wasm` file starts as `/.wasi-run <module> <args>`, wasi-run being bind-mounted
// read-only from beside this program. Every other container, the pod's pause container among them,
// goes to runc unchanged.
//
// A stand-in: with wasi-run it proves the RuntimeClass path (RuntimeClass, containerd handler, a Wasm
// runtime that runs the module the image names) and the app's manifest. It is NOT WasmEdge, and not
// WasmEdge's containerd shim (containerd-shim-wasmedge-v1, written in Rust, which cannot be built here).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// runnerInContainer is where wasi-run appears inside a Wasm container.
const runnerInContainer = "/.wasi-run"

func main() {
	runc, err := exec.LookPath("runc")
	if err == nil {
		if bundle := bundleOf(os.Args[1:]); bundle != "" {
			err = runWasmWithRunner(filepath.Join(bundle, "config.json"))
		}
	}
	if err == nil {
		err = syscall.Exec(runc, append([]string{"runc"}, os.Args[1:]...), os.Environ())
	}
	fmt.Fprintf(os.Stderr, "wasm-runc: %v\n", err)
	os.Exit(1)
}

// bundleOf is the --bundle (-b) of a `create` or `run` command line, or "" for any other command.
func bundleOf(args []string) string {
	for i, arg := range args {
		for _, flag := range []string{"--bundle", "-b"} {
			if arg == flag && i+1 < len(args) {
				return args[i+1]
			}
			if value, ok := strings.CutPrefix(arg, flag+"="); ok {
				return value
			}
		}
	}
	return ""
}

// runWasmWithRunner rewrites a bundle's OCI config whose entrypoint is a .wasm module so that
// wasi-run runs it; other configs are left as they are.
func runWasmWithRunner(configFile string) error {
	text, err := os.ReadFile(configFile)
	if err != nil {
		return err
	}
	var config map[string]any
	if err := json.Unmarshal(text, &config); err != nil {
		return fmt.Errorf("%s: %w", configFile, err)
	}
	process, _ := config["process"].(map[string]any)
	args, _ := process["args"].([]any)
	if len(args) == 0 {
		return nil
	}
	if entrypoint, _ := args[0].(string); !strings.HasSuffix(entrypoint, ".wasm") {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	process["args"] = append([]any{runnerInContainer}, args...)
	mounts, _ := config["mounts"].([]any)
	config["mounts"] = append(mounts, map[string]any{
		"destination": runnerInContainer,
		"type":        "bind",
		"source":      filepath.Join(filepath.Dir(self), "wasi-run"),
		"options":     []string{"bind", "ro"},
	})
	text, err = json.Marshal(config)
	if err != nil {
		return err
	}
	return os.WriteFile(configFile, text, 0o600)
}
