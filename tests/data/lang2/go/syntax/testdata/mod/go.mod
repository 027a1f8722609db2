module github.com/vendored/dep

require github.com/should/not-appear v1.0.0
