// vcsimlite: VMware's vCenter simulator (govmomi's simulator package, from Debian's
// golang-github-vmware-govmomi-dev) as a small server for the vSphere provider's tests.
// Debian ships the library but no vcsim binary, hence this main. Loopback only.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/vmware/govmomi/lookup/simulator"
	_ "github.com/vmware/govmomi/pbm/simulator"
	"github.com/vmware/govmomi/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:8989", "listen address (loopback only)")
	useTLS := flag.Bool("tls", true, "https with a generated self-signed cert")
	// The only login vcsim accepts (tests log in with secret markers as credentials).
	username := flag.String("username", "user", "login user name")
	password := flag.String("password", "pass", "login password")
	flag.Parse()
	model := simulator.VPX() // DC0, cluster DC0_C0 (3 hosts), host DC0_H0, VMs, LocalDS_0
	model.Datastore = 1
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}
	model.Service.RegisterEndpoints = true // /rest vAPI: session, tags, content library
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	if *useTLS {
		model.Service.TLS = new(tls.Config)
	}
	s := model.Service.NewServer()
	fmt.Printf("export GOVC_URL=%s GOVC_INSECURE=1\n", s.URL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	model.Remove() // deletes the /tmp/govcsim-* datastore dirs
	os.Exit(0)     // not s.Close(): that waits for every open client connection
}
