module github.com/licverify/licverify

go 1.25.0

toolchain go1.26.8

require (
	filippo.io/edwards25519 v1.2.0
	github.com/gowebpki/jcs v1.0.2
	github.com/stretchr/testify v1.12.1
	github.com/tetratelabs/wazero v1.12.0
	github.com/zalando/go-keyring v0.2.8
	golang.org/x/sys v0.44.0
)

require (
	github.com/danieljoos/wincred v1.2.3 // indirect
	github.com/godbus/dbus/v5 v5.2.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
