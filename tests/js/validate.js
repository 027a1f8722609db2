#!/usr/bin/env node
// validate.js - check an SBOM that bulwark wrote against the published schemas.
//
//   node validate.js FILE --schema cyclonedx|spdx [--spdx-schema SCHEMA.json]
//
// cyclonedx: the CycloneDX JSON schema of the document's specVersion (1.5 or
//   1.6) as shipped in @cyclonedx/cyclonedx-library (res/schema/), with the
//   spdx and jsf schemas it references, validated by ajv with every format
//   the schema uses checked (ajv-formats, ajv-formats-draft2019).
// spdx: the SPDX 2.3 JSON schema when there is one (--spdx-schema,
//   $BW_SPDX_SCHEMA, or tests/data/spdx-2.3.schema.json, the spdx-spec v2.3
//   schemas/spdx-schema.json, when that file exists; no npm package ships
//   it), plus the rules of the SPDX
//   2.3 specification that a JSON schema cannot say: SPDXID syntax and
//   uniqueness, relationships that name existing elements, licence fields
//   that parse as SPDX expressions (spdx-expression-parse), purl references.
//   Without a schema file the script says so on stderr and exits 3 after the
//   spec checks, so a caller can tell "invalid" (1) from "schema missing" (3).
//
// Exit codes: 0 valid, 1 invalid (the errors are printed), 2 usage or
// unreadable input, 3 valid by the spec checks but the SPDX schema is missing.
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const addFormats2019 = require('ajv-formats-draft2019');
const parseSpdx = require('spdx-expression-parse');

function usage(msg) {
	if (msg) console.error(`validate.js: ${msg}`);
	console.error('usage: node validate.js FILE --schema cyclonedx|spdx [--spdx-schema FILE]');
	process.exit(2);
}

function parseArgs(argv) {
	const vendored = path.join(__dirname, '..', 'data', 'spdx-2.3.schema.json');
	const a = {
		file: null,
		schema: null,
		spdxSchema: process.env.BW_SPDX_SCHEMA || (fs.existsSync(vendored) ? vendored : null),
	};
	for (let i = 0; i < argv.length; i++) {
		const v = argv[i];
		if (v === '--schema') a.schema = argv[++i];
		else if (v === '--spdx-schema') a.spdxSchema = argv[++i];
		else if (v.startsWith('--')) usage(`unknown option ${v}`);
		else if (a.file) usage('one FILE expected');
		else a.file = v;
	}
	if (!a.file) usage('no FILE');
	if (a.schema !== 'cyclonedx' && a.schema !== 'spdx') usage('--schema must be cyclonedx or spdx');
	return a;
}

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		console.error(`validate.js: ${file}: ${e.message}`);
		process.exit(2);
	}
}

function newAjv() {
	// strict: false because the published schemas use keywords ajv does not
	// know in strict mode ("meta:enum", examples in odd places); formats are
	// still asserted.
	const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
	addFormats(ajv);
	addFormats2019(ajv);
	return ajv;
}

function printAjvErrors(file, errors) {
	for (const e of errors.slice(0, 50)) {
		// an enum's allowedValues is the whole SPDX licence list: leave it out
		const params = Object.assign({}, e.params);
		delete params.allowedValues;
		console.error(`${file}: ${e.instancePath || '/'}: ${e.message}` +
			(Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''));
	}
	if (errors.length > 50) console.error(`${file}: ... ${errors.length - 50} more`);
}

function validateCycloneDX(file, doc) {
	const dir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')),
		'res', 'schema');
	const version = doc.specVersion;
	if (version !== '1.5' && version !== '1.6') {
		console.error(`${file}: specVersion ${JSON.stringify(version)}: expected 1.5 or 1.6`);
		return false;
	}
	const ajv = newAjv();
	// The library's copies refer to each other by their file names
	// ("spdx.SNAPSHOT.schema.json"): register them under those ids.
	for (const dep of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
		const s = JSON.parse(fs.readFileSync(path.join(dir, dep), 'utf8'));
		s.$id = `http://cyclonedx.org/schema/${dep}`;
		ajv.addSchema(s);
	}
	const schema = JSON.parse(fs.readFileSync(path.join(dir, `bom-${version}.SNAPSHOT.schema.json`), 'utf8'));
	const check = ajv.compile(schema);
	if (!check(doc)) {
		printAjvErrors(file, check.errors);
		return false;
	}
	// What the schema says in prose only: bom-refs are unique in the BOM.
	const refs = new Set();
	let ok = true;
	const comps = [doc.metadata && doc.metadata.component, ...(doc.components || [])].filter(Boolean);
	for (const c of comps) {
		const r = c['bom-ref'];
		if (r === undefined) continue;
		if (refs.has(r)) {
			console.error(`${file}: bom-ref ${JSON.stringify(r)} is used twice`);
			ok = false;
		}
		refs.add(r);
	}
	return ok;
}

// SPDX 2.3 clause 3.2 / 7.2: "SPDXRef-" followed by letters, digits, '.', '-'.
const SPDXID = /^SPDXRef-[A-Za-z0-9.-]+$/;

function licenceOk(v) {
	if (v === 'NONE' || v === 'NOASSERTION') return true;
	try {
		parseSpdx(v);
		return true;
	} catch (e) {
		return false;
	}
}

function spdxSpecChecks(file, doc) {
	const errs = [];
	const need = (obj, key, where) => {
		if (obj[key] === undefined || obj[key] === null) errs.push(`${where}: ${key} is required`);
	};
	for (const k of ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo'])
		need(doc, k, 'document');
	if (doc.spdxVersion !== 'SPDX-2.3') errs.push(`document: spdxVersion ${JSON.stringify(doc.spdxVersion)}, expected SPDX-2.3`);
	if (doc.dataLicense !== 'CC0-1.0') errs.push('document: dataLicense must be CC0-1.0 (clause 6.2)');
	if (doc.SPDXID !== 'SPDXRef-DOCUMENT') errs.push('document: SPDXID must be SPDXRef-DOCUMENT (clause 6.3)');
	if (typeof doc.documentNamespace !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^\s#]+$/i.test(doc.documentNamespace))
		errs.push(`document: documentNamespace ${JSON.stringify(doc.documentNamespace)} is not an absolute URI without '#' (clause 6.5)`);
	const ci = doc.creationInfo || {};
	need(ci, 'created', 'creationInfo');
	if (!Array.isArray(ci.creators) || ci.creators.length === 0) errs.push('creationInfo: creators must be a non-empty array');
	else for (const c of ci.creators)
		if (!/^(Tool|Organization|Person): .+/.test(c)) errs.push(`creationInfo: creator ${JSON.stringify(c)} is not "Tool: ...", "Organization: ..." or "Person: ..."`);
	if (ci.created && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(ci.created))
		errs.push(`creationInfo: created ${JSON.stringify(ci.created)} is not YYYY-MM-DDThh:mm:ssZ (clause 6.9)`);

	const ids = new Set(['SPDXRef-DOCUMENT']);
	(doc.packages || []).forEach((p, i) => {
		const where = `packages[${i}] (${p.name})`;
		for (const k of ['SPDXID', 'name', 'downloadLocation']) need(p, k, where);
		if (!SPDXID.test(p.SPDXID || '')) errs.push(`${where}: SPDXID ${JSON.stringify(p.SPDXID)} is not SPDXRef-[A-Za-z0-9.-]+`);
		if (ids.has(p.SPDXID)) errs.push(`${where}: SPDXID ${p.SPDXID} is used twice`);
		ids.add(p.SPDXID);
		for (const k of ['licenseConcluded', 'licenseDeclared'])
			if (p[k] !== undefined && !licenceOk(p[k])) errs.push(`${where}: ${k} ${JSON.stringify(p[k])} is not an SPDX licence expression`);
		for (const r of p.externalRefs || []) {
			if (r.referenceType === 'purl' && !/^pkg:[a-z][a-z0-9.+-]*\/\S+$/.test(r.referenceLocator || ''))
				errs.push(`${where}: purl ${JSON.stringify(r.referenceLocator)} is not a package URL`);
			if (!['SECURITY', 'PACKAGE-MANAGER', 'PERSISTENT-ID', 'OTHER'].includes(r.referenceCategory))
				errs.push(`${where}: referenceCategory ${JSON.stringify(r.referenceCategory)}`);
		}
	});
	(doc.relationships || []).forEach((r, i) => {
		for (const k of ['spdxElementId', 'relatedSpdxElement'])
			if (!ids.has(r[k]) && r[k] !== 'NONE' && r[k] !== 'NOASSERTION')
				errs.push(`relationships[${i}]: ${k} ${JSON.stringify(r[k])} names no element of the document`);
	});
	if (!(doc.relationships || []).some((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES') &&
		!(doc.documentDescribes || []).length)
		errs.push('document: nothing is DESCRIBED (clause 11)');
	for (const e of errs.slice(0, 50)) console.error(`${file}: ${e}`);
	return errs.length === 0;
}

function validateSpdx(file, doc, schemaFile) {
	let ok = spdxSpecChecks(file, doc);
	if (!schemaFile) {
		console.error('validate.js: no SPDX 2.3 JSON schema file (--spdx-schema, BW_SPDX_SCHEMA or ' +
			'tests/data/spdx-2.3.schema.json): ' +
			'only the specification checks ran');
		return ok ? 3 : 1;
	}
	const ajv = newAjv();
	const check = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
	if (!check(doc)) {
		printAjvErrors(file, check.errors);
		ok = false;
	}
	return ok ? 0 : 1;
}

const args = parseArgs(process.argv.slice(2));
const doc = readJson(args.file);
if (args.schema === 'cyclonedx') {
	process.exit(validateCycloneDX(args.file, doc) ? 0 : 1);
} else {
	process.exit(validateSpdx(args.file, doc, args.spdxSchema));
}
