package ctxio

import (
	"context"
	"net"
)

// Calls runs a client's network calls, one at a time, under their contexts
// and remembers the error that broke the connection: after an I/O error, a
// malformed reply or an interrupted call the stream is out of step, so
// every later call fails with that error. The zero value is ready; set
// Prefix for the errors it marks.
type Calls struct {
	// Prefix names the protocol in the errors Fail marks ("smtp").
	Prefix string
	// OnFail, if set, runs when the connection breaks (the client moves
	// its state machine to closed).
	OnFail func()

	ctx context.Context
	end func()
	err error
}

// Err returns the error that broke the connection, or nil.
func (g *Calls) Err() error { return g.err }

// Context returns the context of the call in progress, or nil.
func (g *Calls) Context() context.Context { return g.ctx }

// Begin starts a call on conn under ctx; End must follow a nil return. A
// broken connection returns its error; a context that is already done
// returns its error and breaks nothing, since nothing was sent.
func (g *Calls) Begin(ctx context.Context, conn net.Conn) error {
	if g.err != nil {
		return g.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	end, err := Begin(ctx, conn)
	if err != nil {
		return g.Fail(err, conn)
	}
	g.ctx, g.end = ctx, end
	return nil
}

// End finishes the call Begin started and returns err.
func (g *Calls) End(err error) error {
	if g.end != nil {
		g.end()
		g.end = nil
	}
	g.ctx = nil
	return err
}

// Do runs fn, which talks to the server over conn, as one call.
func (g *Calls) Do(ctx context.Context, conn net.Conn, fn func() error) error {
	if err := g.Begin(ctx, conn); err != nil {
		return err
	}
	return g.End(fn())
}

// Fail breaks the connection: it closes conn and keeps err, marked with
// the call's context error when that is why the I/O failed (Explain), for
// this and every later call. The first error wins.
func (g *Calls) Fail(err error, conn net.Conn) error {
	if g.err != nil {
		return g.err
	}
	g.err = Explain(g.ctx, g.Prefix, err)
	if g.OnFail != nil {
		g.OnFail()
	}
	conn.Close()
	return g.err
}
