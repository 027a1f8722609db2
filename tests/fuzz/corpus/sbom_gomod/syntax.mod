// A module that uses every go.mod statement (https://go.dev/ref/mod#go-mod-file).
module example.com/shop/api

go 1.21

require github.com/google/uuid v1.4.0

require (
	github.com/BurntSushi/toml v1.3.2
	"golang.org/x/net" v0.17.0 // indirect
	"golang.org/x/text" v0.13.0 // indirect
	github.com/old/logger v1.0.0
	github.com/pinned/lib v1.2.0
	example.com/shop/internal v0.0.0-00010101000000-000000000000
	gopkg.in/yaml.v3 v3.0.1
	github.com/excluded/mod v1.5.0
	github.com/kept/mod v2.0.0+incompatible
)

require ()

exclude github.com/excluded/mod v1.5.0

exclude (
	github.com/kept/mod v1.0.0
)

replace github.com/old/logger => github.com/new/logger v1.1.0

replace (
	github.com/pinned/lib v1.1.0 => github.com/wrong/lib v9.9.9
	github.com/pinned/lib v1.2.0 => github.com/pinned/lib v1.2.1
	github.com/pinned/lib => github.com/other/lib v3.0.0
	example.com/shop/internal => ../internal
)

retract (
	v1.0.0 // published too early
	[v1.0.1, v1.0.5]
)
