# The requirements of `go mod edit -json` with replace and exclude applied
# (version-specific replace first), one "PATH VERSION" a line.
. as $m
| [($m.Exclude // [])[] | "\(.Path) \(.Version)"] as $exc
| ($m.Require // [])[]
| . as $r
| select(($exc | index("\($r.Path) \($r.Version)")) | not)
| ([($m.Replace // [])[] | select(.Old.Path == $r.Path and .Old.Version == $r.Version)]
   + [($m.Replace // [])[] | select(.Old.Path == $r.Path and (.Old.Version // "") == "")]) as $rep
| if ($rep | length) == 0 then "\($r.Path) \($r.Version)"
  elif ($rep[0].New.Version // "") == "" then empty
  else "\($rep[0].New.Path) \($rep[0].New.Version)" end
