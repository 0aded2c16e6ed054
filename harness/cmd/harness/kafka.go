package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"stacklab/harness/proc"
	"stacklab/harness/services"
)

// hostKafka is `harness kafka -listen-fd 3 [-data DIR]`: a kfake broker serving on the socket its
// parent made (the parent knows the address before it starts; nothing is read from its output)
// until SIGTERM. With -data its topics and records survive a restart on the same folder.
func hostKafka(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("harness kafka", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fd := fs.Int("listen-fd", 0, "serve on this inherited listening socket (3 or more)")
	data := fs.String("data", "", "keep topics and records in this folder")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	var opt services.KafkaOptions
	if *fd != 0 {
		if *fd < 3 {
			return fmt.Errorf("harness kafka: -listen-fd %d: want an inherited descriptor, 3 or more", *fd)
		}
		f := os.NewFile(uintptr(*fd), "listener")
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("harness kafka: -listen-fd %d: %w", *fd, err)
		}
		opt.Listener = ln
	}
	opt.DataDir = *data
	k, err := services.StartKafka(opt)
	if err != nil {
		return err
	}
	defer k.Close()
	fmt.Fprintf(stderr, "kafka listening on %s (%s)\n", k.Brokers()[0], services.KfakeVersion())
	<-ctx.Done()
	return nil
}

// broker is the lab's Kafka: a `harness kafka` child on a fixed loopback address with its data in
// a folder, so it can be stopped and started again (a fault) with its topics and records kept.
type broker struct {
	addr, data, logPath string
	mu                  sync.Mutex
	child               *proc.Child
}

// startBroker starts the lab's broker on a free loopback port.
func startBroker(work string) (*broker, error) {
	b := &broker{data: filepath.Join(work, "kafka-data"), logPath: filepath.Join(work, "kafka.log")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("embedded kafka: listening: %w", err)
	}
	b.addr = ln.Addr().String()
	if err := b.start(ln); err != nil {
		return nil, err
	}
	return b, nil
}

// start runs the child on ln (which it closes: the child holds its own copy) and waits until the
// broker answers.
func (b *broker) start(ln net.Listener) error {
	defer ln.Close()
	sock, err := ln.(*net.TCPListener).File()
	if err != nil {
		return fmt.Errorf("embedded kafka: the listener's descriptor: %w", err)
	}
	defer sock.Close()
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program to host Kafka: %w", err)
	}
	c, err := proc.Start(proc.Options{Service: "embedded kafka (kfake)", Path: self, Args: []string{"kafka", "-listen-fd", "3", "-data", b.data},
		LogPath: b.logPath, Env: os.Environ(), ExtraFiles: []*os.File{sock}})
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.child = c
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := services.ProbeKafka(ctx, []string{b.addr}, 30*time.Second); err != nil {
		c.Kill()
		return c.Failure(fmt.Errorf("does not answer: %w", err))
	}
	return nil
}

func (b *broker) pid() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.child.PID()
}

// restart stops the broker (SIGKILL: connections refused at once), waits down, and starts it
// again on the same address and data.
func (b *broker) restart(down time.Duration) error {
	b.mu.Lock()
	c := b.child
	b.mu.Unlock()
	if err := c.Stop(syscall.SIGKILL, 10*time.Second); err != nil {
		return fmt.Errorf("stopping the broker: %w", err)
	}
	time.Sleep(down)
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if ln, err = net.Listen("tcp", b.addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("listening on %s again: %w", b.addr, err)
	}
	return b.start(ln)
}

func (b *broker) close() {
	b.mu.Lock()
	c := b.child
	b.mu.Unlock()
	if c != nil {
		_ = c.Stop(syscall.SIGTERM, 10*time.Second)
	}
}
