/* write_spdx.c - SPDX 2.3 JSON, and the SPDX licence list and expression
 * check that the CycloneDX writer shares (write_int.h).
 *
 * The document: one package for the image (primaryPackagePurpose CONTAINER)
 * that the document DESCRIBES, one for the distro (OPERATING-SYSTEM) and one
 * per catalogued package, each CONTAINed by the image. SPDXIDs are built
 * from letters, digits, '.' and '-' only (the spec's idstring) and made
 * unique with the package's index. licenseDeclared ANDs a package's
 * licences: SPDX expressions as they are, Debian's DEP-5 short names mapped
 * to their SPDX ids, and any other name as a LicenseRef- that
 * hasExtractedLicensingInfos declares with the name as recorded.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "write_int.h"

/* ---- the SPDX licence list --------------------------------------------- */

/* The SPDX licence list 3.24.0 as the CycloneDX schema's spdx.schema.json
 * enumerates it (so a CycloneDX "license.id" from here always validates),
 * split into licences and exceptions, each sorted without regard to case
 * for bsearch. Generated from
 * tests/js/node_modules/@cyclonedx/cyclonedx-library/res/schema/spdx.SNAPSHOT.schema.json
 * ("enum"): an id is an exception when the spdx-exceptions npm package lists
 * it (index.json, deprecated.json) or when spdx-license-ids does not list it
 * as a licence and it has no "+" (Asterisk-linking-protocols-exception,
 * PCRE2-exception, RRDtool-FLOSS-exception-2.0: newer than that package). */
static const char *const spdx_ids[] = {
	"0BSD", "3D-Slicer-1.0", "AAL", "Abstyles", "AdaCore-doc", "Adobe-2006",
	"Adobe-Display-PostScript", "Adobe-Glyph", "Adobe-Utopia", "ADSL", "AFL-1.1", "AFL-1.2",
	"AFL-2.0", "AFL-2.1", "AFL-3.0", "Afmparse", "AGPL-1.0", "AGPL-1.0-only",
	"AGPL-1.0-or-later", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Aladdin",
	"AMD-newlib", "AMDPLPA", "AML", "AML-glslang", "AMPAS", "ANTLR-PD", "ANTLR-PD-fallback",
	"any-OSI", "Apache-1.0", "Apache-1.1", "Apache-2.0", "APAFML", "APL-1.0", "App-s2p",
	"APSL-1.0", "APSL-1.1", "APSL-1.2", "APSL-2.0", "Arphic-1999", "Artistic-1.0",
	"Artistic-1.0-cl8", "Artistic-1.0-Perl", "Artistic-2.0", "ASWF-Digital-Assets-1.0",
	"ASWF-Digital-Assets-1.1", "Baekmuk", "Bahyph", "Barr", "bcrypt-Solar-Designer",
	"Beerware", "Bitstream-Charter", "Bitstream-Vera", "BitTorrent-1.0", "BitTorrent-1.1",
	"blessing", "BlueOak-1.0.0", "Boehm-GC", "Borceux", "Brian-Gladman-2-Clause",
	"Brian-Gladman-3-Clause", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Darwin",
	"BSD-2-Clause-first-lines", "BSD-2-Clause-FreeBSD", "BSD-2-Clause-NetBSD",
	"BSD-2-Clause-Patent", "BSD-2-Clause-Views", "BSD-3-Clause", "BSD-3-Clause-acpica",
	"BSD-3-Clause-Attribution", "BSD-3-Clause-Clear", "BSD-3-Clause-flex", "BSD-3-Clause-HP",
	"BSD-3-Clause-LBNL", "BSD-3-Clause-Modification", "BSD-3-Clause-No-Military-License",
	"BSD-3-Clause-No-Nuclear-License", "BSD-3-Clause-No-Nuclear-License-2014",
	"BSD-3-Clause-No-Nuclear-Warranty", "BSD-3-Clause-Open-MPI", "BSD-3-Clause-Sun",
	"BSD-4-Clause", "BSD-4-Clause-Shortened", "BSD-4-Clause-UC", "BSD-4.3RENO", "BSD-4.3TAHOE",
	"BSD-Advertising-Acknowledgement", "BSD-Attribution-HPND-disclaimer",
	"BSD-Inferno-Nettverk", "BSD-Protection", "BSD-Source-beginning-file", "BSD-Source-Code",
	"BSD-Systemics", "BSD-Systemics-W3Works", "BSL-1.0", "BUSL-1.1", "bzip2-1.0.5",
	"bzip2-1.0.6", "C-UDA-1.0", "CAL-1.0", "CAL-1.0-Combined-Work-Exception", "Caldera",
	"Caldera-no-preamble", "Catharon", "CATOSL-1.1", "CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5",
	"CC-BY-2.5-AU", "CC-BY-3.0", "CC-BY-3.0-AT", "CC-BY-3.0-AU", "CC-BY-3.0-DE",
	"CC-BY-3.0-IGO", "CC-BY-3.0-NL", "CC-BY-3.0-US", "CC-BY-4.0", "CC-BY-NC-1.0",
	"CC-BY-NC-2.0", "CC-BY-NC-2.5", "CC-BY-NC-3.0", "CC-BY-NC-3.0-DE", "CC-BY-NC-4.0",
	"CC-BY-NC-ND-1.0", "CC-BY-NC-ND-2.0", "CC-BY-NC-ND-2.5", "CC-BY-NC-ND-3.0",
	"CC-BY-NC-ND-3.0-DE", "CC-BY-NC-ND-3.0-IGO", "CC-BY-NC-ND-4.0", "CC-BY-NC-SA-1.0",
	"CC-BY-NC-SA-2.0", "CC-BY-NC-SA-2.0-DE", "CC-BY-NC-SA-2.0-FR", "CC-BY-NC-SA-2.0-UK",
	"CC-BY-NC-SA-2.5", "CC-BY-NC-SA-3.0", "CC-BY-NC-SA-3.0-DE", "CC-BY-NC-SA-3.0-IGO",
	"CC-BY-NC-SA-4.0", "CC-BY-ND-1.0", "CC-BY-ND-2.0", "CC-BY-ND-2.5", "CC-BY-ND-3.0",
	"CC-BY-ND-3.0-DE", "CC-BY-ND-4.0", "CC-BY-SA-1.0", "CC-BY-SA-2.0", "CC-BY-SA-2.0-UK",
	"CC-BY-SA-2.1-JP", "CC-BY-SA-2.5", "CC-BY-SA-3.0", "CC-BY-SA-3.0-AT", "CC-BY-SA-3.0-DE",
	"CC-BY-SA-3.0-IGO", "CC-BY-SA-4.0", "CC-PDDC", "CC0-1.0", "CDDL-1.0", "CDDL-1.1",
	"CDL-1.0", "CDLA-Permissive-1.0", "CDLA-Permissive-2.0", "CDLA-Sharing-1.0", "CECILL-1.0",
	"CECILL-1.1", "CECILL-2.0", "CECILL-2.1", "CECILL-B", "CECILL-C", "CERN-OHL-1.1",
	"CERN-OHL-1.2", "CERN-OHL-P-2.0", "CERN-OHL-S-2.0", "CERN-OHL-W-2.0", "CFITSIO",
	"check-cvs", "checkmk", "ClArtistic", "Clips", "CMU-Mach", "CMU-Mach-nodoc", "CNRI-Jython",
	"CNRI-Python", "CNRI-Python-GPL-Compatible", "COIL-1.0", "Community-Spec-1.0",
	"Condor-1.1", "copyleft-next-0.3.0", "copyleft-next-0.3.1", "Cornell-Lossless-JPEG",
	"CPAL-1.0", "CPL-1.0", "CPOL-1.02", "Cronyx", "Crossword", "CrystalStacker", "CUA-OPL-1.0",
	"Cube", "curl", "cve-tou", "D-FSL-1.0", "DEC-3-Clause", "diffmark", "DL-DE-BY-2.0",
	"DL-DE-ZERO-2.0", "DOC", "Dotseqn", "DRL-1.0", "DRL-1.1", "DSDP", "dtoa", "dvipdfm",
	"ECL-1.0", "ECL-2.0", "eCos-2.0", "EFL-1.0", "EFL-2.0", "eGenix", "Elastic-2.0", "Entessa",
	"EPICS", "EPL-1.0", "EPL-2.0", "ErlPL-1.1", "etalab-2.0", "EUDatagrid", "EUPL-1.0",
	"EUPL-1.1", "EUPL-1.2", "Eurosym", "Fair", "FBM", "FDK-AAC", "Ferguson-Twofish",
	"Frameworx-1.0", "FreeBSD-DOC", "FreeImage", "FSFAP", "FSFAP-no-warranty-disclaimer",
	"FSFUL", "FSFULLR", "FSFULLRWD", "FTL", "Furuseth", "fwlw", "GCR-docs", "GD", "GFDL-1.1",
	"GFDL-1.1-invariants-only", "GFDL-1.1-invariants-or-later", "GFDL-1.1-no-invariants-only",
	"GFDL-1.1-no-invariants-or-later", "GFDL-1.1-only", "GFDL-1.1-or-later", "GFDL-1.2",
	"GFDL-1.2-invariants-only", "GFDL-1.2-invariants-or-later", "GFDL-1.2-no-invariants-only",
	"GFDL-1.2-no-invariants-or-later", "GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3",
	"GFDL-1.3-invariants-only", "GFDL-1.3-invariants-or-later", "GFDL-1.3-no-invariants-only",
	"GFDL-1.3-no-invariants-or-later", "GFDL-1.3-only", "GFDL-1.3-or-later", "Giftware",
	"GL2PS", "Glide", "Glulxe", "GLWTPL", "gnuplot", "GPL-1.0", "GPL-1.0+", "GPL-1.0-only",
	"GPL-1.0-or-later", "GPL-2.0", "GPL-2.0+", "GPL-2.0-only", "GPL-2.0-or-later",
	"GPL-2.0-with-autoconf-exception", "GPL-2.0-with-bison-exception",
	"GPL-2.0-with-classpath-exception", "GPL-2.0-with-font-exception",
	"GPL-2.0-with-GCC-exception", "GPL-3.0", "GPL-3.0+", "GPL-3.0-only", "GPL-3.0-or-later",
	"GPL-3.0-with-autoconf-exception", "GPL-3.0-with-GCC-exception", "Graphics-Gems",
	"gSOAP-1.3b", "gtkbook", "Gutmann", "HaskellReport", "hdparm", "Hippocratic-2.1",
	"HP-1986", "HP-1989", "HPND", "HPND-DEC", "HPND-doc", "HPND-doc-sell", "HPND-export-US",
	"HPND-export-US-acknowledgement", "HPND-export-US-modify", "HPND-export2-US",
	"HPND-Fenneberg-Livingston", "HPND-INRIA-IMAG", "HPND-Intel", "HPND-Kevlin-Henney",
	"HPND-Markus-Kuhn", "HPND-merchantability-variant", "HPND-MIT-disclaimer", "HPND-Pbmplus",
	"HPND-sell-MIT-disclaimer-xserver", "HPND-sell-regexpr", "HPND-sell-variant",
	"HPND-sell-variant-MIT-disclaimer", "HPND-sell-variant-MIT-disclaimer-rev", "HPND-UC",
	"HPND-UC-export-US", "HTMLTIDY", "IBM-pibs", "ICU", "IEC-Code-Components-EULA", "IJG",
	"IJG-short", "ImageMagick", "iMatix", "Imlib2", "Info-ZIP", "Inner-Net-2.0", "Intel",
	"Intel-ACPI", "Interbase-1.0", "IPA", "IPL-1.0", "ISC", "ISC-Veillard", "Jam",
	"JasPer-2.0", "JPL-image", "JPNIC", "JSON", "Kastrup", "Kazlib", "Knuth-CTAN", "LAL-1.2",
	"LAL-1.3", "Latex2e", "Latex2e-translated-notice", "Leptonica", "LGPL-2.0", "LGPL-2.0+",
	"LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1+", "LGPL-2.1-only",
	"LGPL-2.1-or-later", "LGPL-3.0", "LGPL-3.0+", "LGPL-3.0-only", "LGPL-3.0-or-later",
	"LGPLLR", "Libpng", "libpng-2.0", "libselinux-1.0", "libtiff", "libutil-David-Nugent",
	"LiLiQ-P-1.1", "LiLiQ-R-1.1", "LiLiQ-Rplus-1.1", "Linux-man-pages-1-para",
	"Linux-man-pages-copyleft", "Linux-man-pages-copyleft-2-para",
	"Linux-man-pages-copyleft-var", "Linux-OpenIB", "LOOP", "LPD-document", "LPL-1.0",
	"LPL-1.02", "LPPL-1.0", "LPPL-1.1", "LPPL-1.2", "LPPL-1.3a", "LPPL-1.3c", "lsof",
	"Lucida-Bitmap-Fonts", "LZMA-SDK-9.11-to-9.20", "LZMA-SDK-9.22", "Mackerras-3-Clause",
	"Mackerras-3-Clause-acknowledgment", "magaz", "mailprio", "MakeIndex", "Martin-Birgmeier",
	"McPhee-slideshow", "metamail", "Minpack", "MirOS", "MIT", "MIT-0", "MIT-advertising",
	"MIT-CMU", "MIT-enna", "MIT-feh", "MIT-Festival", "MIT-Khronos-old", "MIT-Modern-Variant",
	"MIT-open-group", "MIT-testregex", "MIT-Wu", "MITNFA", "MMIXware", "Motosoto", "MPEG-SSG",
	"mpi-permissive", "mpich2", "MPL-1.0", "MPL-1.1", "MPL-2.0",
	"MPL-2.0-no-copyleft-exception", "mplus", "MS-LPL", "MS-PL", "MS-RL", "MTLL",
	"MulanPSL-1.0", "MulanPSL-2.0", "Multics", "Mup", "NAIST-2003", "NASA-1.3", "Naumen",
	"NBPL-1.0", "NCBI-PD", "NCGL-UK-2.0", "NCL", "NCSA", "Net-SNMP", "NetCDF", "Newsletr",
	"NGPL", "NICTA-1.0", "NIST-PD", "NIST-PD-fallback", "NIST-Software", "NLOD-1.0",
	"NLOD-2.0", "NLPL", "Nokia", "NOSL", "Noweb", "NPL-1.0", "NPL-1.1", "NPOSL-3.0", "NRL",
	"NTP", "NTP-0", "Nunit", "O-UDA-1.0", "OAR", "OCCT-PL", "OCLC-2.0", "ODbL-1.0",
	"ODC-By-1.0", "OFFIS", "OFL-1.0", "OFL-1.0-no-RFN", "OFL-1.0-RFN", "OFL-1.1",
	"OFL-1.1-no-RFN", "OFL-1.1-RFN", "OGC-1.0", "OGDL-Taiwan-1.0", "OGL-Canada-2.0",
	"OGL-UK-1.0", "OGL-UK-2.0", "OGL-UK-3.0", "OGTSL", "OLDAP-1.1", "OLDAP-1.2", "OLDAP-1.3",
	"OLDAP-1.4", "OLDAP-2.0", "OLDAP-2.0.1", "OLDAP-2.1", "OLDAP-2.2", "OLDAP-2.2.1",
	"OLDAP-2.2.2", "OLDAP-2.3", "OLDAP-2.4", "OLDAP-2.5", "OLDAP-2.6", "OLDAP-2.7",
	"OLDAP-2.8", "OLFL-1.3", "OML", "OpenPBS-2.3", "OpenSSL", "OpenSSL-standalone",
	"OpenVision", "OPL-1.0", "OPL-UK-3.0", "OPUBL-1.0", "OSET-PL-2.1", "OSL-1.0", "OSL-1.1",
	"OSL-2.0", "OSL-2.1", "OSL-3.0", "PADL", "Parity-6.0.0", "Parity-7.0.0", "PDDL-1.0",
	"PHP-3.0", "PHP-3.01", "Pixar", "pkgconf", "Plexus", "pnmstitch",
	"PolyForm-Noncommercial-1.0.0", "PolyForm-Small-Business-1.0.0", "PostgreSQL", "PPL",
	"PSF-2.0", "psfrag", "psutils", "Python-2.0", "Python-2.0.1", "python-ldap", "Qhull",
	"QPL-1.0", "QPL-1.0-INRIA-2004", "radvd", "Rdisc", "RHeCos-1.1", "RPL-1.1", "RPL-1.5",
	"RPSL-1.0", "RSA-MD", "RSCPL", "Ruby", "SAX-PD", "SAX-PD-2.0", "Saxpath", "SCEA",
	"SchemeReport", "Sendmail", "Sendmail-8.23", "SGI-B-1.0", "SGI-B-1.1", "SGI-B-2.0",
	"SGI-OpenGL", "SGP4", "SHL-0.5", "SHL-0.51", "SimPL-2.0", "SISSL", "SISSL-1.2", "SL",
	"Sleepycat", "SMLNJ", "SMPPL", "SNIA", "snprintf", "softSurfer", "Soundex", "Spencer-86",
	"Spencer-94", "Spencer-99", "SPL-1.0", "ssh-keyscan", "SSH-OpenSSH", "SSH-short",
	"SSLeay-standalone", "SSPL-1.0", "StandardML-NJ", "SugarCRM-1.1.3", "Sun-PPP",
	"Sun-PPP-2000", "SunPro", "SWL", "swrule", "Symlinks", "TAPR-OHL-1.0", "TCL",
	"TCP-wrappers", "TermReadKey", "TGPPL-1.0", "threeparttable", "TMate", "TORQUE-1.1",
	"TOSL", "TPDL", "TPL-1.0", "TTWL", "TTYP0", "TU-Berlin-1.0", "TU-Berlin-2.0", "UCAR",
	"UCL-1.0", "ulem", "UMich-Merit", "Unicode-3.0", "Unicode-DFS-2015", "Unicode-DFS-2016",
	"Unicode-TOU", "UnixCrypt", "Unlicense", "UPL-1.0", "URT-RLE", "Vim", "VOSTROM", "VSL-1.0",
	"W3C", "W3C-19980720", "W3C-20150513", "w3m", "Watcom-1.0", "Widget-Workshop", "Wsuipa",
	"WTFPL", "wxWindows", "X11", "X11-distribute-modifications-variant", "Xdebug-1.03",
	"Xerox", "Xfig", "XFree86-1.1", "xinetd", "xkeyboard-config-Zinoviev", "xlock", "Xnet",
	"xpp", "XSkat", "xzoom", "YPL-1.0", "YPL-1.1", "Zed", "Zeeff", "Zend-2.0", "Zimbra-1.3",
	"Zimbra-1.4", "Zlib", "zlib-acknowledgement", "ZPL-1.1", "ZPL-2.0", "ZPL-2.1",
};

static const char *const spdx_exceptions[] = {
	"389-exception", "Asterisk-exception", "Asterisk-linking-protocols-exception",
	"Autoconf-exception-2.0", "Autoconf-exception-3.0", "Autoconf-exception-generic",
	"Autoconf-exception-generic-3.0", "Autoconf-exception-macro", "Bison-exception-1.24",
	"Bison-exception-2.2", "Bootloader-exception", "Classpath-exception-2.0",
	"CLISP-exception-2.0", "cryptsetup-OpenSSL-exception", "DigiRule-FOSS-exception",
	"eCos-exception-2.0", "Fawkes-Runtime-exception", "FLTK-exception", "fmt-exception",
	"Font-exception-2.0", "freertos-exception-2.0", "GCC-exception-2.0",
	"GCC-exception-2.0-note", "GCC-exception-3.1", "Gmsh-exception", "GNAT-exception",
	"GNOME-examples-exception", "GNU-compiler-exception", "gnu-javamail-exception",
	"GPL-3.0-interface-exception", "GPL-3.0-linking-exception",
	"GPL-3.0-linking-source-exception", "GPL-CC-1.0", "GStreamer-exception-2005",
	"GStreamer-exception-2008", "i2p-gpl-java-exception", "KiCad-libraries-exception",
	"LGPL-3.0-linking-exception", "libpri-OpenH323-exception", "Libtool-exception",
	"Linux-syscall-note", "LLGPL", "LLVM-exception", "LZMA-exception", "mif-exception",
	"Nokia-Qt-exception-1.1", "OCaml-LGPL-linking-exception", "OCCT-exception-1.0",
	"OpenJDK-assembly-exception-1.0", "openvpn-openssl-exception", "PCRE2-exception",
	"PS-or-PDF-font-exception-20170817", "QPL-1.0-INRIA-2004-exception",
	"Qt-GPL-exception-1.0", "Qt-LGPL-exception-1.1", "Qwt-exception-1.0",
	"RRDtool-FLOSS-exception-2.0", "SANE-exception", "SHL-2.0", "SHL-2.1", "stunnel-exception",
	"SWI-exception", "Swift-exception", "Texinfo-exception", "u-boot-exception-2.0",
	"UBDL-exception", "Universal-FOSS-exception-1.0", "vsftpd-openssl-exception",
	"WxWindows-exception-3.1", "x11vnc-openssl-exception",
};

const char *sbom_spdx_license_list_version(void)
{
	return "3.24";
}

struct id_key {
	const char *s;
	size_t n;
};

static int id_cmp(const void *key, const void *elem)
{
	const struct id_key *k = key;
	const char *id = *(const char *const *)elem;
	size_t idlen = strlen(id);
	int c = strncasecmp(k->s, id, k->n < idlen ? k->n : idlen);

	if (c != 0)
		return c;
	return k->n < idlen ? -1 : k->n > idlen ? 1 : 0;
}

static const char *lookup(const char *const *table, size_t count, const char *s, size_t n)
{
	struct id_key k = {s, n};
	const char *const *hit;

	if (n == 0 || n > 64)
		return NULL;
	hit = bsearch(&k, table, count, sizeof(table[0]), id_cmp);
	return hit ? *hit : NULL;
}

const char *sbom_spdx_license_id(const char *s, size_t n)
{
	return lookup(spdx_ids, sizeof(spdx_ids) / sizeof(spdx_ids[0]), s, n);
}

const char *sbom_spdx_exception_id(const char *s, size_t n)
{
	return lookup(spdx_exceptions, sizeof(spdx_exceptions) / sizeof(spdx_exceptions[0]), s, n);
}

/* ---- SPDX licence expressions (SPDX 2.3 annex D) ------------------------- */

#define SPDX_EXPR_MAX_LEN 4096
#define SPDX_EXPR_MAX_DEPTH 32

enum xtok { XT_END, XT_LPAREN, XT_RPAREN, XT_AND, XT_OR, XT_WITH, XT_WORD, XT_BAD };

struct xparser {
	const char *s;
	size_t n, pos;
	enum xtok t;
	const char *w; /* the current word */
	size_t wn;
	struct bw_buf out;
};

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '+' || c == ':';
}

static bool word_is(const struct xparser *p, const char *upper, const char *lower)
{
	size_t n = strlen(upper);

	return p->wn == n && (memcmp(p->w, upper, n) == 0 || memcmp(p->w, lower, n) == 0);
}

static void xnext(struct xparser *p)
{
	while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
	p->w = p->s + p->pos;
	p->wn = 0;
	if (p->pos >= p->n) {
		p->t = XT_END;
		return;
	}
	if (p->s[p->pos] == '(' || p->s[p->pos] == ')') {
		p->t = p->s[p->pos] == '(' ? XT_LPAREN : XT_RPAREN;
		p->pos++;
		return;
	}
	while (p->pos < p->n && is_word_char(p->s[p->pos])) {
		p->pos++;
		p->wn++;
	}
	if (p->wn == 0) {
		p->t = XT_BAD;
		return;
	}
	if (word_is(p, "AND", "and"))
		p->t = XT_AND;
	else if (word_is(p, "OR", "or"))
		p->t = XT_OR;
	else if (word_is(p, "WITH", "with"))
		p->t = XT_WITH;
	else
		p->t = XT_WORD;
}

/* idstring = 1*(ALPHA / DIGIT / "-" / "." ) */
static bool is_idstring(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_word_char(s[i]) || s[i] == '+' || s[i] == ':')
			return false;
	return true;
}

static bool prefix_ci(const char *s, size_t n, const char *prefix)
{
	size_t pn = strlen(prefix);

	return n >= pn && strncasecmp(s, prefix, pn) == 0;
}

/* simple-expression: license-id ["+"] / license-ref, appended canonically */
static bool xsimple(struct xparser *p)
{
	const char *w = p->w;
	size_t n = p->wn;
	const char *colon = memchr(w, ':', n);
	const char *id;

	if (colon) {
		size_t dn = (size_t)(colon - w);
		const char *rest = colon + 1;
		size_t rn = n - dn - 1;

		if (!prefix_ci(w, dn, "DocumentRef-") || !is_idstring(w + 12, dn - 12) ||
		    !prefix_ci(rest, rn, "LicenseRef-") || !is_idstring(rest + 11, rn - 11))
			return false;
		return bw_buf_appendf(&p->out, "DocumentRef-%.*s:LicenseRef-%.*s", (int)(dn - 12),
				      w + 12, (int)(rn - 11), rest + 11) == BW_OK;
	}
	if (prefix_ci(w, n, "LicenseRef-")) {
		if (!is_idstring(w + 11, n - 11))
			return false;
		return bw_buf_appendf(&p->out, "LicenseRef-%.*s", (int)(n - 11), w + 11) == BW_OK;
	}
	if (n > 1 && w[n - 1] == '+') {
		id = sbom_spdx_license_id(w, n - 1);
		return id && bw_buf_appendf(&p->out, "%s+", id) == BW_OK;
	}
	id = sbom_spdx_license_id(w, n);
	return id && bw_buf_appends(&p->out, id) == BW_OK;
}

static bool xor_expr(struct xparser *p, int depth, bool *top_op);

/* "(" expr ")" / simple ["WITH" exception-id] */
static bool xprimary(struct xparser *p, int depth)
{
	bool nested_op = false;
	const char *exc;

	if (p->t == XT_LPAREN) {
		if (depth >= SPDX_EXPR_MAX_DEPTH || bw_buf_appends(&p->out, "(") != BW_OK)
			return false;
		xnext(p);
		if (!xor_expr(p, depth + 1, &nested_op) || p->t != XT_RPAREN)
			return false;
		xnext(p);
		return bw_buf_appends(&p->out, ")") == BW_OK;
	}
	if (p->t != XT_WORD || !xsimple(p))
		return false;
	xnext(p);
	if (p->t != XT_WITH)
		return true;
	xnext(p);
	if (p->t != XT_WORD)
		return false;
	exc = sbom_spdx_exception_id(p->w, p->wn);
	if (!exc || bw_buf_appendf(&p->out, " WITH %s", exc) != BW_OK)
		return false;
	xnext(p);
	return true;
}

static bool xand_expr(struct xparser *p, int depth, bool *top_op)
{
	if (!xprimary(p, depth))
		return false;
	while (p->t == XT_AND) {
		*top_op = true;
		if (bw_buf_appends(&p->out, " AND ") != BW_OK)
			return false;
		xnext(p);
		if (!xprimary(p, depth))
			return false;
	}
	return true;
}

static bool xor_expr(struct xparser *p, int depth, bool *top_op)
{
	if (!xand_expr(p, depth, top_op))
		return false;
	while (p->t == XT_OR) {
		*top_op = true;
		if (bw_buf_appends(&p->out, " OR ") != BW_OK)
			return false;
		xnext(p);
		if (!xand_expr(p, depth, top_op))
			return false;
	}
	return true;
}

char *sbom_spdx_expression(const char *s, bool *compound)
{
	struct xparser p = {0};
	bool top_op = false;

	if (!s)
		return NULL;
	p.s = s;
	p.n = strlen(s);
	if (p.n == 0 || p.n > SPDX_EXPR_MAX_LEN)
		return NULL;
	bw_buf_init(&p.out, 2 * p.n + 16);
	xnext(&p);
	if (!xor_expr(&p, 0, &top_op) || p.t != XT_END) {
		bw_buf_release(&p.out);
		return NULL;
	}
	if (compound)
		*compound = top_op;
	return bw_buf_detach(&p.out, NULL);
}

/* ---- the SPDX 2.3 document ------------------------------------------------ */

#define SPDX_NOASSERTION "NOASSERTION"
#define SPDX_NAME_MAX 128 /* bytes of a name kept in an SPDXID */

/* Append s to b with every byte outside the idstring set turned into '-'. */
static enum bw_err append_idstring(struct bw_buf *b, const char *s)
{
	enum bw_err result = BW_OK;
	size_t n = strnlen(s, SPDX_NAME_MAX);

	for (size_t i = 0; i < n && result == BW_OK; i++) {
		char c = s[i];

		if (!is_word_char(c) || c == '+' || c == ':')
			c = '-';
		result = bw_buf_append(b, &c, 1);
	}
	return result;
}

/* "SPDXRef-Package-deb-libc6-12": type and name made idstring-safe, the
 * index keeps ids unique whatever the names. malloc'd or NULL. */
static char *package_spdxid(const struct sbom_pkg *p, size_t index)
{
	struct bw_buf b;

	bw_buf_init(&b, 512);
	if (bw_buf_appends(&b, "SPDXRef-Package-") != BW_OK ||
	    append_idstring(&b, sbom_pkg_type_name(p->type)) != BW_OK ||
	    bw_buf_appends(&b, "-") != BW_OK || append_idstring(&b, p->name ? p->name : "") != BW_OK ||
	    bw_buf_appendf(&b, "-%zu", index) != BW_OK) {
		bw_buf_release(&b);
		return NULL;
	}
	return bw_buf_detach(&b, NULL);
}

/* ---- a package's licences as SPDX ------------------------------------------- */

/* DEP-5 (machine-readable debian/copyright) short names whose SPDX id is
 * known: "GPL-2+" is GPL-2.0-or-later, "GPL-2" GPL-2.0-only, "LGPL-2.1+",
 * "GFDL-NIV-1.3" (no invariant sections), "Apache-2", "MPL-1.1",
 * "Artistic-2", "Expat" (MIT). Others ("BSD-3-clause", "Zlib") already are
 * SPDX ids up to case. The canonical id into buf, or NULL. */
static const char *dep5_license(const char *s, char *buf, size_t bufsz)
{
	static const struct {
		const char *dep5;
		const char *spdx;  /* the SPDX id is spdx-VERSION[infix][-only|-or-later] */
		const char *infix;
		bool gnu;          /* takes -only / -or-later */
	} families[] = {
		{"GFDL-NIV", "GFDL", "-no-invariants", true},
		{"AGPL", "AGPL", "", true},
		{"LGPL", "LGPL", "", true},
		{"GFDL", "GFDL", "", true},
		{"GPL", "GPL", "", true},
		{"Apache", "Apache", "", false},
		{"Artistic", "Artistic", "", false},
		{"MPL", "MPL", "", false},
	};
	char ver[16];

	if (strcasecmp(s, "Expat") == 0)
		return "MIT";
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		size_t fn = strlen(families[i].dep5), vn = 0;
		const char *v = s + fn;
		bool plus = false, dot = false;

		if (strncasecmp(s, families[i].dep5, fn) != 0 || v[0] != '-')
			continue;
		for (v++; v[vn] && v[vn] != '+'; vn++) {
			if (v[vn] == '.' && vn > 0 && !dot)
				dot = true;
			else if (v[vn] < '0' || v[vn] > '9')
				return NULL;
		}
		if (vn == 0 || vn > 6 || v[vn - 1] == '.')
			return NULL;
		if (v[vn] == '+') {
			plus = true;
			if (v[vn + 1] != '\0' || !families[i].gnu)
				return NULL;
		}
		snprintf(ver, sizeof(ver), "%.*s%s", (int)vn, v, dot ? "" : ".0");
		snprintf(buf, bufsz, "%s-%s%s%s", families[i].spdx, ver, families[i].infix,
			 !families[i].gnu ? "" : plus ? "-or-later" : "-only");
		return sbom_spdx_license_id(buf, strlen(buf));
	}
	return NULL;
}

bool sbom_license_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

char *sbom_spdx_license(const struct sbom_pkg *p, const char *lic, bool *compound)
{
	char buf[96];
	const char *id;

	/* Debian's names first: "LGPL-2.1+" is valid SPDX too, but the
	 * current id is LGPL-2.1-or-later */
	if (p->type == SBOM_PKG_DEB && (id = dep5_license(lic, buf, sizeof(buf)))) {
		*compound = false;
		return bw_strdup(id);
	}
	return sbom_spdx_expression(lic, compound);
}

/* "LicenseRef-" + the text made an idstring; recorded in refs (ref -> the
 * text as recorded); a different text that makes the same ref gets "-N". */
static char *license_ref(const char *text, json_t *refs)
{
	struct bw_buf b;
	char *ref;

	bw_buf_init(&b, 256);
	if (bw_buf_appends(&b, "LicenseRef-") != BW_OK || append_idstring(&b, text) != BW_OK) {
		bw_buf_release(&b);
		return NULL;
	}
	ref = bw_buf_detach(&b, NULL);
	for (unsigned int n = 2; ref; n++) {
		const char *have = json_string_value(json_object_get(refs, ref));
		char *next;

		if (!have)
			break;
		if (strcmp(have, text) == 0)
			return ref;
		next = bw_strfmt("%s-%u", ref, n);
		free(ref);
		ref = next;
		if (n > 1000) {
			free(ref);
			return NULL;
		}
	}
	if (ref && json_object_set_new_nocheck(refs, ref, json_string_nocheck(text)) != 0) {
		free(ref);
		return NULL;
	}
	return ref;
}

char *sbom_spdx_join_licenses(const struct sbom_pkg *p, json_t *refs, bool *compound,
			      bool *nomem)
{
	const struct bw_strv *lic = &p->licenses;
	struct bw_strv parts = {0}; /* "1expr" for a compound part, "0expr" else */
	struct bw_buf b;
	bool op = false;
	char *out = NULL;

	*compound = false;
	for (size_t i = 0; i < lic->n; i++) {
		char *one, *tagged;

		if (sbom_license_blank(lic->v[i]))
			continue;
		one = sbom_spdx_license(p, lic->v[i], &op);

		if (!one && refs) {
			one = license_ref(lic->v[i], refs);
			op = false;
			if (!one) {
				*nomem = true;
				goto out_parts;
			}
		}
		if (!one)
			goto out_parts;
		tagged = bw_strfmt("%c%s", op ? '1' : '0', one);
		free(one);
		if (!tagged) {
			*nomem = true;
			goto out_parts;
		}
		if (bw_strv_contains(&parts, tagged)) {
			free(tagged);
		} else if (bw_strv_push_owned(&parts, tagged) != BW_OK) {
			free(tagged);
			*nomem = true;
			goto out_parts;
		}
	}
	if (parts.n == 0)
		goto out_parts;
	bw_buf_init(&b, SPDX_EXPR_MAX_LEN * 4);
	for (size_t i = 0; i < parts.n; i++) {
		const char *s = parts.v[i];
		bool paren = parts.n > 1 && s[0] == '1';
		enum bw_err result;

		result = bw_buf_appendf(&b, "%s%s%s%s", i ? " AND " : "", paren ? "(" : "", s + 1,
					paren ? ")" : "");
		if (result != BW_OK) {
			/* too long to be useful: NOASSERTION rather than fail */
			if (result == BW_ERR_NOMEM)
				*nomem = true;
			bw_buf_release(&b);
			goto out_parts;
		}
	}
	*compound = parts.n > 1 || parts.v[0][0] == '1';
	out = bw_buf_detach(&b, NULL);
out_parts:
	bw_strv_release(&parts);
	return out;
}

/* hasExtractedLicensingInfos: one entry per LicenseRef the packages use. */
static json_t *extracted_licenses(struct sbom_jb *jb, json_t *refs)
{
	json_t *arr = sbom_jarr(jb), *v;
	const char *ref;

	json_object_foreach(refs, ref, v) {
		json_t *o = sbom_jobj(jb);

		sbom_jset_str(jb, o, "licenseId", ref);
		/* the database names the licence; its text is not in the image's
		 * package database, so the name is all there is to extract */
		sbom_jset_str(jb, o, "extractedText", json_string_value(v));
		sbom_jset_str(jb, o, "name", json_string_value(v));
		sbom_jset_str(jb, o, "comment",
			      "licence name as the package database records it; not on the SPDX "
			      "licence list");
		sbom_jpush(jb, arr, o);
	}
	return arr;
}

/* The fields every package carries, set to NOASSERTION / false. */
static void set_package_defaults(struct sbom_jb *jb, json_t *o)
{
	sbom_jset_str(jb, o, "downloadLocation", SPDX_NOASSERTION);
	sbom_jset(jb, o, "filesAnalyzed", json_false());
	sbom_jset_str(jb, o, "supplier", SPDX_NOASSERTION);
	sbom_jset_str(jb, o, "licenseConcluded", SPDX_NOASSERTION);
	sbom_jset_str(jb, o, "copyrightText", SPDX_NOASSERTION);
}

static void add_relationship(struct sbom_jb *jb, json_t *rels, const char *from,
			     const char *type, const char *to)
{
	json_t *r = sbom_jobj(jb);

	sbom_jset_str(jb, r, "spdxElementId", from);
	sbom_jset_str(jb, r, "relationshipType", type);
	sbom_jset_str(jb, r, "relatedSpdxElement", to);
	sbom_jpush(jb, rels, r);
}

static json_t *image_package(struct sbom_jb *jb, const struct sbom *sb)
{
	json_t *o = sbom_jobj(jb);
	const char *digest = sb->image_digest ? sb->image_digest : sb->image_id;

	sbom_jset_str(jb, o, "SPDXID", "SPDXRef-Image");
	sbom_jset_str(jb, o, "name", sb->target ? sb->target : "unknown");
	sbom_jset_str(jb, o, "versionInfo", digest);
	set_package_defaults(jb, o);
	sbom_jset_str(jb, o, "licenseDeclared", SPDX_NOASSERTION);
	sbom_jset_str(jb, o, "primaryPackagePurpose", "CONTAINER");
	if (digest && bw_str_starts_with(digest, "sha256:") && bw_digest_valid(digest)) {
		json_t *sums = sbom_jarr(jb), *c = sbom_jobj(jb);

		sbom_jset_str(jb, c, "algorithm", "SHA256");
		sbom_jset_str(jb, c, "checksumValue", digest + 7);
		sbom_jpush(jb, sums, c);
		sbom_jset(jb, o, "checksums", sums);
	}
	if (sb->target_kind)
		sbom_jset(jb, o, "comment",
			  json_sprintf("image source: %s", sb->target_kind));
	return o;
}

static json_t *os_package(struct sbom_jb *jb, const struct sbom_distro *d)
{
	json_t *o = sbom_jobj(jb);

	sbom_jset_str(jb, o, "SPDXID", "SPDXRef-OperatingSystem");
	sbom_jset_str(jb, o, "name", d->id);
	sbom_jset_str(jb, o, "versionInfo", d->version_id);
	set_package_defaults(jb, o);
	sbom_jset_str(jb, o, "licenseDeclared", SPDX_NOASSERTION);
	sbom_jset_str(jb, o, "description", d->pretty_name);
	sbom_jset_str(jb, o, "primaryPackagePurpose", "OPERATING-SYSTEM");
	return o;
}

static char *source_info(const struct sbom_pkg *p)
{
	struct bw_buf b;
	enum bw_err result = BW_OK;

	bw_buf_init(&b, 4096);
	if (p->found_path)
		result = bw_buf_appendf(&b, "acquired package info from %.1024s", p->found_path);
	if (result == BW_OK && p->layer_digest)
		result = bw_buf_appendf(&b, " (layer %.200s)", p->layer_digest);
	if (result == BW_OK && p->source_name)
		result = bw_buf_appendf(&b, "%sbuilt from source package %.512s%s%.512s",
					b.len ? "; " : "", p->source_name,
					p->source_version ? " " : "",
					p->source_version ? p->source_version : "");
	if (result != BW_OK || b.len == 0) {
		bw_buf_release(&b);
		return NULL;
	}
	return bw_buf_detach(&b, NULL);
}

static json_t *pkg_package(struct sbom_jb *jb, const struct sbom_pkg *p, const char *spdxid,
			   json_t *refs)
{
	json_t *o = sbom_jobj(jb);
	char *lic, *info;
	bool compound;

	sbom_jset_str(jb, o, "SPDXID", spdxid);
	sbom_jset_str(jb, o, "name", p->name ? p->name : "");
	sbom_jset_str(jb, o, "versionInfo", p->version);
	set_package_defaults(jb, o);
	lic = sbom_spdx_join_licenses(p, refs, &compound, &jb->nomem);
	sbom_jset_str(jb, o, "licenseDeclared", lic ? lic : SPDX_NOASSERTION);
	free(lic);
	info = source_info(p);
	sbom_jset_str(jb, o, "sourceInfo", info);
	free(info);
	if (p->sha1 && strlen(p->sha1) == 40) {
		json_t *sums = sbom_jarr(jb), *c = sbom_jobj(jb);

		sbom_jset_str(jb, c, "algorithm", "SHA1");
		sbom_jset_str(jb, c, "checksumValue", p->sha1);
		sbom_jpush(jb, sums, c);
		sbom_jset(jb, o, "checksums", sums);
	}
	if (p->purl) {
		json_t *ext = sbom_jarr(jb), *r = sbom_jobj(jb);

		sbom_jset_str(jb, r, "referenceCategory", "PACKAGE-MANAGER");
		sbom_jset_str(jb, r, "referenceType", "purl");
		sbom_jset_str(jb, r, "referenceLocator", p->purl);
		sbom_jpush(jb, ext, r);
		sbom_jset(jb, o, "externalRefs", ext);
	}
	return o;
}

static char *document_namespace(const struct sbom *sb, const char *uuid)
{
	struct bw_buf b;

	bw_buf_init(&b, 512);
	if (bw_buf_appends(&b, "https://bulwark.dev/spdxdocs/") != BW_OK ||
	    append_idstring(&b, sb->target ? sb->target : "unknown") != BW_OK ||
	    bw_buf_appendf(&b, "-%s", uuid) != BW_OK) {
		bw_buf_release(&b);
		return NULL;
	}
	return bw_buf_detach(&b, NULL);
}

enum bw_err sbom_write_spdx(const struct sbom *sb, FILE *f, struct bw_errbuf *eb)
{
	struct sbom_jb jb = {0};
	char ts[64], uuid[37], *ns;
	json_t *doc, *ci, *creators, *pkgs, *rels, *refs;
	enum bw_err result;

	result = sbom_write_uuid(uuid, eb);
	if (result != BW_OK)
		return result;
	sbom_write_timestamp(ts, sizeof(ts));
	doc = sbom_jobj(&jb);
	sbom_jset_str(&jb, doc, "spdxVersion", "SPDX-2.3");
	sbom_jset_str(&jb, doc, "dataLicense", "CC0-1.0");
	sbom_jset_str(&jb, doc, "SPDXID", "SPDXRef-DOCUMENT");
	sbom_jset_str(&jb, doc, "name", sb->target ? sb->target : "unknown");
	ns = document_namespace(sb, uuid);
	if (!ns)
		jb.nomem = true;
	sbom_jset_str(&jb, doc, "documentNamespace", ns);
	free(ns);
	ci = sbom_jobj(&jb);
	sbom_jset_str(&jb, ci, "created", ts);
	creators = sbom_jarr(&jb);
	sbom_jpush(&jb, creators, json_sprintf("Tool: %s-%s", sbom_write_tool_name(sb),
					       sbom_write_tool_version(sb)));
	sbom_jset(&jb, ci, "creators", creators);
	sbom_jset_str(&jb, ci, "licenseListVersion", sbom_spdx_license_list_version());
	sbom_jset(&jb, doc, "creationInfo", ci);

	pkgs = sbom_jarr(&jb);
	rels = sbom_jarr(&jb);
	refs = sbom_jobj(&jb);
	sbom_jpush(&jb, pkgs, image_package(&jb, sb));
	add_relationship(&jb, rels, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
	if (sb->distro.id) {
		sbom_jpush(&jb, pkgs, os_package(&jb, &sb->distro));
		add_relationship(&jb, rels, "SPDXRef-Image", "CONTAINS",
				 "SPDXRef-OperatingSystem");
	}
	for (size_t i = 0; i < sb->npkgs && !jb.nomem; i++) {
		char *id = package_spdxid(&sb->pkgs[i], i);

		if (!id) {
			jb.nomem = true;
			break;
		}
		sbom_jpush(&jb, pkgs, pkg_package(&jb, &sb->pkgs[i], id, refs));
		add_relationship(&jb, rels, "SPDXRef-Image", "CONTAINS", id);
		free(id);
	}
	if (refs && json_object_size(refs) > 0)
		sbom_jset(&jb, doc, "hasExtractedLicensingInfos", extracted_licenses(&jb, refs));
	sbom_jset(&jb, doc, "packages", pkgs);
	sbom_jset(&jb, doc, "relationships", rels);
	if (jb.nomem) {
		result = bw_fail(eb, BW_ERR_NOMEM, "out of memory building the SPDX document");
		goto out_doc;
	}
	result = bw_json_write(doc, f, eb);
out_doc:
	json_decref(doc);
	json_decref(refs);
	return result;
}
