package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a sandbox listening on a loopback address.
type Server struct {
	// Endpoint is the base URL to give SDK clients, e.g. http://127.0.0.1:54321.
	Endpoint string

	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// Listen serves the sandbox on addr, which must be a loopback address ("127.0.0.1:0" picks a
// free port).
func (s *Sandbox) Listen(addr string) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen %s: the sandbox only listens on loopback addresses", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &Server{
		Endpoint: "http://" + ln.Addr().String(),
		ln:       ln,
		srv:      &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan struct{}),
	}
	go func() {
		defer close(srv.done)
		_ = srv.srv.Serve(ln)
	}()
	return srv, nil
}

// Close stops the server and waits for it to exit.
func (srv *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.srv.Shutdown(ctx)
	<-srv.done
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("close sandbox server: %w", err)
	}
	return nil
}
