// Command standin stands in for the e2e fleet's own apps (the edge monitor, the kiosk, the Wasm app)
// on the end-to-end suite's real node. It is not the customer's software: it logs a numbered line at
// a steady rate and counts those lines in a Prometheus counter, so that the suite can tell that a pod
// runs, which image version it runs, and whether anything downstream loses lines or samples. A second
// counter numbers the scrapes: the n-th request for /metrics from a scraper (one that sends the
// X-Prometheus-Scrape-Timeout-Seconds header, as Prometheus and vmagent do; the suite's own reads
// do not) answers n, so a sample missing downstream shows as a missing number, whatever the timing.
//
// The same source builds as a static Linux program and as a WASI module (GOOS=wasip1), which the
// suite's Wasm stand-in runtime runs on the `wasmedge` RuntimeClass.
//
// Environment (set in the image's config by pack-image, or by the pod):
//
//	STANDIN_APP       name in every line and in the metric's labels
//	STANDIN_VERSION   the image's version, likewise
//	STANDIN_INTERVAL  time between lines (a Go duration), default 1s
//	STANDIN_LISTEN    address of the /metrics and /healthz server, e.g. ":9100"; none when empty.
//	                  As a WASI module it serves on the listener its runtime pre-opened, if any.
//
// Every line is `seq=<n> app=<app> version=<version> store=<STORE_ID>`; on SIGTERM the last line is
// `stopped after seq=<n>`, and the exit status 0.
//
// Two commands for checks from inside a pod: `standin resolve <name>` prints the addresses a name
// resolves to, one a line (cluster DNS); `standin connect <host:port>` opens a TCP connection and
// prints `connected`, or the error and exits 1 (no route out of the node).
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "resolve" {
		os.Exit(resolve(os.Args[2]))
	}
	if len(os.Args) == 3 && os.Args[1] == "connect" {
		os.Exit(connect(os.Args[2]))
	}
	app, version := os.Getenv("STANDIN_APP"), os.Getenv("STANDIN_VERSION")
	interval, err := time.ParseDuration(envOr("STANDIN_INTERVAL", "1s"))
	if err != nil || interval <= 0 {
		fmt.Fprintf(os.Stderr, "standin: STANDIN_INTERVAL %q is not a positive duration\n", os.Getenv("STANDIN_INTERVAL"))
		os.Exit(2)
	}
	var counters counters
	go func() {
		err := serve(os.Getenv("STANDIN_LISTEN"), func(conn io.ReadWriteCloser) { answer(conn, app, version, &counters) })
		if err != nil {
			fmt.Fprintf(os.Stderr, "standin: %v\n", err)
			os.Exit(1)
		}
	}()

	store := os.Getenv("STORE_ID")
	ticker := time.NewTicker(interval)
	stop := stopSignal()
	for {
		select {
		case <-ticker.C:
			fmt.Printf("seq=%d app=%s version=%s store=%s\n", counters.lines.Add(1), app, version, store)
		case <-stop:
			fmt.Printf("stopped after seq=%d\n", counters.lines.Load())
			os.Exit(0)
		}
	}
}

// counters are what /metrics reports.
type counters struct {
	lines   atomic.Uint64
	scrapes atomic.Uint64
}

// scraperHeader is the header that Prometheus-compatible scrapers send with every scrape.
const scraperHeader = "x-prometheus-scrape-timeout-seconds:"

// answer answers GET /metrics with the counters and GET /healthz, one request a connection.
// It speaks just enough HTTP/1.1 for a scraper, without net/http: as a WASI module, net/http made
// the module 9 MB, and the Wasm stand-in runtime then needed 135-230 MiB, more than the app's limit.
func answer(conn io.ReadWriteCloser, app, version string, counters *counters) {
	defer conn.Close()
	reader := bufio.NewReader(conn)
	request, err := reader.ReadString('\n')
	if err != nil {
		return
	}
	fromScraper := false
	for { // the headers, up to the blank line
		header, err := reader.ReadString('\n')
		if err != nil || strings.TrimSpace(header) == "" {
			break
		}
		fromScraper = fromScraper || strings.HasPrefix(strings.ToLower(header), scraperHeader)
	}
	status, body := "404 Not Found", "not found\n"
	switch fields := strings.Fields(request); {
	case len(fields) < 2 || fields[0] != "GET":
		status, body = "405 Method Not Allowed", "GET only\n"
	case fields[1] == "/metrics":
		scrapes := counters.scrapes.Load()
		if fromScraper {
			scrapes = counters.scrapes.Add(1)
		}
		status, body = "200 OK", fmt.Sprintf("# HELP standin_lines_total Numbered lines logged since the program started.\n"+
			"# TYPE standin_lines_total counter\nstandin_lines_total{app=%q,version=%q} %d\n"+
			"# HELP standin_scrapes_total Scrapes answered since the program started, this one included.\n"+
			"# TYPE standin_scrapes_total counter\nstandin_scrapes_total{app=%q,version=%q} %d\n",
			app, version, counters.lines.Load(), app, version, scrapes)
	case fields[1] == "/healthz":
		status, body = "200 OK", "ok\n"
	}
	fmt.Fprintf(conn, "HTTP/1.1 %s\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, len(body), body)
}

func resolve(name string) int {
	addresses, err := net.LookupHost(name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "standin: %v\n", err)
		return 1
	}
	fmt.Println(strings.Join(addresses, "\n"))
	return 0
}

func connect(address string) int {
	conn, err := net.DialTimeout("tcp", address, 5*time.Second)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	conn.Close()
	fmt.Println("connected")
	return 0
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
