package main

import (
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// serve listens on address and hands each connection to handle, which has 10 s; it returns at
// once when address is empty.
func serve(address string, handle func(io.ReadWriteCloser)) error {
	if address == "" {
		return nil
	}
	l, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		go handle(conn)
	}
}

// stopSignal receives SIGTERM or SIGINT.
func stopSignal() <-chan os.Signal {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	return c
}
