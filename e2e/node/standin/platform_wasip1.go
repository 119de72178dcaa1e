package main

import (
	"io"
	"os"
	"syscall"
	"time"
)

// firstPreopenedFd is the lowest descriptor a WASI runtime can pre-open (0-2 are stdio).
const firstPreopenedFd = 3

// pollInterval is how often the listener and a connection are polled.
const pollInterval = 100 * time.Millisecond

// serve hands each connection of the first TCP listener the runtime pre-opened (WASI preview 1
// cannot bind or listen) to handle, which has 10 s; it returns at once when there is none. The
// address is the native program's. The listener and the connections are non-blocking and polled
// here: Go's poller would spin, for wazero reports a non-blocking socket always ready.
func serve(_ string, handle func(io.ReadWriteCloser)) error {
	listener, ok := preopenedListener()
	if !ok {
		return nil
	}
	for {
		fd, _, err := syscall.Accept(listener)
		if err == syscall.EAGAIN {
			time.Sleep(pollInterval)
			continue
		}
		if err != nil {
			return err
		}
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(fd)
			continue
		}
		go handle(&polledConn{fd: fd, deadline: time.Now().Add(10 * time.Second)})
	}
}

// preopenedListener is the first pre-opened socket, made non-blocking.
func preopenedListener() (int, bool) {
	for fd := firstPreopenedFd; fd < firstPreopenedFd+16; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil && st.Filetype == syscall.FILETYPE_SOCKET_STREAM && syscall.SetNonblock(fd, true) == nil {
			return fd, true
		}
	}
	return 0, false
}

// polledConn reads and writes a non-blocking socket, sleeping while it would block, until its deadline.
type polledConn struct {
	fd       int
	deadline time.Time
}

func (c *polledConn) Read(p []byte) (int, error) {
	return c.retry(func() (int, error) { return syscall.Read(c.fd, p) }, true)
}

func (c *polledConn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := c.retry(func() (int, error) { return syscall.Write(c.fd, p[written:]) }, false)
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

func (c *polledConn) Close() error {
	return syscall.Close(c.fd)
}

func (c *polledConn) retry(op func() (int, error), reading bool) (int, error) {
	for {
		n, err := op()
		if err != syscall.EAGAIN {
			if reading && n == 0 && err == nil {
				return 0, io.EOF
			}
			return n, err
		}
		if time.Now().After(c.deadline) {
			return 0, os.ErrDeadlineExceeded
		}
		time.Sleep(pollInterval)
	}
}

// stopSignal never fires: WASI has no signals; the runtime ends the module on SIGTERM.
func stopSignal() <-chan os.Signal {
	return nil
}
