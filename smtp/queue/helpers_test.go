package queue

import (
	"bufio"
	"strconv"
	"strings"
)

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

func itoa(n int) string { return strconv.Itoa(n) }
