// Command pack-image writes a container image as a `docker save` tarball (manifest.json, the config
// JSON and one layer, each named by its sha256), without a registry or a container engine: what a
// store loads with `ctr -n k8s.io images import` (or K3s from its agent/images folder). The same
// inputs always give the same bytes.
//
// Usage:
//
//	pack-image -name <reference> -out <file.tar> -entrypoint <path> [-arch amd64]
//	           [-file <host path>=<path in image>]... [-env NAME=VALUE]... [-port <n>]...
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"
)

// epoch is the time of every file and of the image: the same inputs give the same image ID.
var epoch = time.Unix(0, 0).UTC()

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var files, env, ports list
	name := flag.String("name", "", "image reference, e.g. registry.example.com/retail/edge-monitor:1.4.2")
	out := flag.String("out", "", "tarball to write")
	entrypoint := flag.String("entrypoint", "", "the image's entrypoint (a path in the image)")
	arch := flag.String("arch", runtime.GOARCH, "the image's architecture")
	flag.Var(&files, "file", "<host path>=<path in image>, repeatable")
	flag.Var(&env, "env", "NAME=VALUE of the image's config, repeatable")
	flag.Var(&ports, "port", "exposed TCP port, repeatable")
	flag.Parse()
	if *name == "" || *out == "" || *entrypoint == "" || len(files) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := pack(*name, *out, *entrypoint, *arch, files, env, ports); err != nil {
		fmt.Fprintf(os.Stderr, "pack-image: %v\n", err)
		os.Exit(1)
	}
}

func pack(name, out, entrypoint, arch string, files, env, ports []string) error {
	layer, err := layerTar(files)
	if err != nil {
		return err
	}
	layerDigest := sha256Hex(layer)
	exposed := map[string]struct{}{}
	for _, p := range ports {
		exposed[p+"/tcp"] = struct{}{}
	}
	config, err := json.Marshal(map[string]any{
		"architecture": arch,
		"os":           "linux",
		"created":      epoch.Format(time.RFC3339),
		"config": map[string]any{
			"Entrypoint":   []string{entrypoint},
			"Env":          append([]string{"PATH=/usr/local/bin:/usr/bin:/bin"}, env...),
			"WorkingDir":   "/",
			"ExposedPorts": exposed,
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + layerDigest}},
		"history": []map[string]string{{"created": epoch.Format(time.RFC3339), "created_by": "edgefleet e2e pack-image"}},
	})
	if err != nil {
		return err
	}
	configName := sha256Hex(config) + ".json"
	layerName := layerDigest + "/layer.tar"
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": []string{name}, "Layers": []string{layerName}}})
	if err != nil {
		return err
	}
	var archive bytes.Buffer
	w := tar.NewWriter(&archive)
	for _, entry := range []struct {
		name    string
		content []byte
	}{{layerDigest + "/", nil}, {layerName, layer}, {configName, config}, {"manifest.json", manifest}} {
		if err := writeEntry(w, entry.name, entry.content, 0o644); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, archive.Bytes(), 0o644)
}

// layerTar is one layer holding each file (host path=path in image), with its parent folders.
func layerTar(files []string) ([]byte, error) {
	contents := map[string][]byte{}
	modes := map[string]int64{}
	for _, spec := range files {
		source, target, ok := strings.Cut(spec, "=")
		if !ok || !path.IsAbs(target) {
			return nil, fmt.Errorf("-file %q: want <host path>=</absolute/path/in/image>", spec)
		}
		content, err := os.ReadFile(source)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(source)
		if err != nil {
			return nil, err
		}
		target = strings.TrimPrefix(path.Clean(target), "/")
		contents[target], modes[target] = content, int64(info.Mode().Perm())
		for dir := path.Dir(target); dir != "."; dir = path.Dir(dir) {
			contents[dir+"/"], modes[dir+"/"] = nil, 0o755
		}
	}
	names := make([]string, 0, len(contents))
	for n := range contents {
		names = append(names, n)
	}
	sort.Strings(names)
	var layer bytes.Buffer
	w := tar.NewWriter(&layer)
	for _, n := range names {
		if err := writeEntry(w, n, contents[n], modes[n]); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return layer.Bytes(), nil
}

// writeEntry writes a folder (a name ending in /) or a file, owned by root, at the epoch.
func writeEntry(w *tar.Writer, name string, content []byte, mode int64) error {
	header := &tar.Header{Name: name, Mode: mode, ModTime: epoch, Format: tar.FormatPAX, Typeflag: tar.TypeReg, Size: int64(len(content))}
	if strings.HasSuffix(name, "/") {
		header.Typeflag, header.Size, header.Mode = tar.TypeDir, 0, 0o755
	}
	if err := w.WriteHeader(header); err != nil {
		return err
	}
	_, err := w.Write(content)
	return err
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
