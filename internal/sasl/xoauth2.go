package sasl

// xoauth2Client implements Google's and Microsoft's XOAUTH2: one initial
// response "user=U ^A auth=Bearer TOKEN ^A ^A". On failure the server sends a
// JSON challenge and expects an empty response before its final error.
type xoauth2Client struct{ username, token string }

// NewXOAuth2Client returns an XOAUTH2 client for an OAuth 2.0 bearer token.
func NewXOAuth2Client(username, token string) Client {
	return &xoauth2Client{username, token}
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return XOAuth2, []byte("user=" + c.username + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next answers the server's error challenge with an empty response so that
// the server can finish the exchange with its failure reply.
func (c *xoauth2Client) Next([]byte) ([]byte, error) { return []byte{}, nil }
