package memnet

import (
	"net"
	"sync"
)

// Listener hands the connections it was given to Accept, one each, then
// blocks Accept until Close, as a listener nobody else dials would.
type Listener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// Listen returns a listener that accepts conns, in order.
func Listen(conns ...net.Conn) *Listener {
	l := &Listener{conns: make(chan net.Conn, len(conns)), done: make(chan struct{})}
	for _, c := range conns {
		l.conns <- c
	}
	return l
}

// Accept returns the next connection, or net.ErrClosed after Close.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case <-l.done:
		return nil, net.ErrClosed
	default:
	}
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept fail from now on; connections not yet accepted are
// closed.
func (l *Listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		for {
			select {
			case c := <-l.conns:
				c.Close()
			default:
				return
			}
		}
	})
	return nil
}

// Addr returns the server end's address.
func (l *Listener) Addr() net.Addr { return names[1] }
