# rubysec_expect.rb - the tests' own reading of ruby-advisory-db: which
# advisories cover which gem versions, decided by RubyGems itself
# (Gem::Version, Gem::Requirement) the way bundler-audit does: a version is
# vulnerable unless a patched_versions or unaffected_versions requirement is
# satisfied by it.
#
# usage: ruby rubysec_expect.rb GEMS_DIR PKGFILE
#   GEMS_DIR: ruby-advisory-db's gems/ directory; PKGFILE: "name<TAB>version" lines
# prints "name<TAB>version<TAB>ID,ID..." (CVE-..., GHSA-..., OSVDB-...) per advisory.
require 'date'
require 'yaml'

def satisfied(reqs, version)
  (reqs || []).any? { |r| Gem::Requirement.new(*r.split(', ')).satisfied_by?(version) }
end

File.readlines(ARGV[1]).each do |line|
  name, ver = line.chomp.split("\t")
  next unless name && ver
  dir = File.join(ARGV[0], name)
  next unless Dir.exist?(dir)
  v = Gem::Version.new(ver)
  Dir.glob(File.join(dir, '*.yml')).sort.each do |f|
    a = YAML.safe_load(File.read(f), permitted_classes: [Date])
    next if satisfied(a['patched_versions'], v) || satisfied(a['unaffected_versions'], v)
    ids = []
    ids << "CVE-#{a['cve']}" if a['cve']
    ids << "GHSA-#{a['ghsa']}" if a['ghsa']
    ids << "OSVDB-#{a['osvdb']}" if a['osvdb']
    ids << File.basename(f, '.yml') if ids.empty?
    puts [name, ver, ids.join(',')].join("\t")
  end
end
