package transcript

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mailwire/mailwire/internal/testcert"
)

// fakeServer is the tiny line server the runner's tests play against. It
// greets with "+ hello <N@fake>" (N random, for placeholders) and answers:
//
//	ECHO x     x
//	TLS        OK go, then TLS
//	TLSJUNK    OK go and a line more, then TLS (a server at fault)
//	SILENT     nothing
//	QUIT       BYE, then it closes
//	anything   ERR
type fakeServer struct {
	addr    string
	echoes  atomic.Int64
	tls     *tls.Config // the server's side
	clients *tls.Config // what trusts it
}

func startFake(t testing.TB) *fakeServer {
	pair, err := testcert.New()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &fakeServer{addr: l.Addr().String(), tls: pair.ServerConfig(), clients: pair.ClientConfig()}
	go func() {
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(nc) // it ends when the runner closes nc

		}
	}()
	return s
}

func (s *fakeServer) serve(nc net.Conn) {
	defer func() { nc.Close() }()
	br := bufio.NewReader(nc)
	fmt.Fprintf(nc, "+ hello <%d@fake>\r\n", rand.IntN(1e6))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), " ")
		switch verb {
		case "ECHO":
			s.echoes.Add(1)
			fmt.Fprintf(nc, "%s\r\n", arg)
		case "TLS", "TLSJUNK":
			reply := "OK go\r\n"
			if verb == "TLSJUNK" {
				reply += "extra\r\n"
			}
			nc.Write([]byte(reply))
			tc := tls.Server(nc, s.tls)
			if tc.Handshake() != nil {
				return
			}
			nc, br = tc, bufio.NewReader(tc)
		case "SILENT":
		case "QUIT":
			nc.Write([]byte("BYE\r\n"))
			return
		default:
			nc.Write([]byte("ERR\r\n"))
		}
	}
}

// runner returns the Server that plays transcripts against s: "@ tls"
// gives <starttls> a client configuration, "= echoes N" counts ECHOs,
// ${stamp} matches the greeting's <...> and ${upper x} is x in capitals.
func (s *fakeServer) runner() Server {
	return Server{
		Start: func(t testing.TB, opts []Option) (*Target, error) {
			target := &Target{Addr: s.addr, Check: func(name, arg string) error {
				if got := fmt.Sprint(s.echoes.Load()); name != "echoes" || got != arg {
					return fmt.Errorf("%d echoes", s.echoes.Load())
				}
				return nil
			}}
			for _, o := range opts {
				if o.Name != "tls" {
					return nil, o.Errorf("unknown option")
				}
				target.TLS = s.clients
			}
			return target, nil
		},
		Placeholders: Placeholders{
			Patterns: map[string]string{"stamp": `<\d+@fake>`},
			Funcs: map[string]func(map[string]string, string) (string, error){
				"upper": func(_ map[string]string, arg string) (string, error) { return strings.ToUpper(arg), nil },
			},
		},
	}
}
