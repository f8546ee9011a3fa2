"""Validating electronic messages against their XSDs (``--schemas DIR``): the schema is
chosen by the root's namespace (a MsgHead together with the message it carries), imports
resolve inside the folder (nothing is fetched), and a violation is reported by line,
element and rule, never by a value."""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

MSGHEAD = "http://www.kith.no/xmlstds/msghead/2006-05-24"
MEDCOM = "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _content(root):
    for el in root:
        if isinstance(el.tag, str) and _local(el) == "Document":
            for ref in el:
                if _local(ref) == "RefDoc":
                    for content in ref:
                        if _local(content) == "Content":
                            return content
    return None


#: The XSD (in a --schemas directory) for each message namespace.
SCHEMA_FILES = {
    "http://www.kith.no/xmlstds/rekvisisjon/2008-12-01": "Rekvisisjon-v1_5.xsd",
    "http://www.kith.no/xmlstds/rekvisisjon/2012-02-15": "Rekvisisjon-v1.6.xsd",
    "http://www.kith.no/xmlstds/henvisning/2005-07-08": "Henvisning-v1.0.xsd",
    "http://www.kith.no/xmlstds/henvisning/2012-02-15": "Henvisning-v1.1.xsd",
    "http://ehelse.no/xmlstds/henvisning/2017-11-30": "Henvisning-v2.0.xsd",
    MSGHEAD: "MsgHead-v1_2.xsd",
    MEDCOM: "EMessage.xsd",  # the envelope; it includes every letter (XREF01, XREF02, receipts)
}

def validate(root, folder: Path) -> str | None:
    """The first XSD violation (line, element and rule, with the elements expected there;
    never a value), or None. A MsgHead is validated together with the schema of the
    message it carries."""
    spaces = [etree.QName(root).namespace]
    if spaces[0] == MSGHEAD:
        content = _content(root)
        spaces += [etree.QName(c).namespace for c in (content if content is not None else []) if isinstance(c.tag, str)]
    paths = []
    for ns in dict.fromkeys(spaces):
        name = SCHEMA_FILES.get(ns) or EXTRA_SCHEMA_FILES.get(ns)
        path = _schema_path(folder, name) if name else None
        if path is None:
            return f"no schema for {_local(root)} in {ns or 'no namespace'} under the --schemas folder"
        paths.append((ns, path))
    schema = _schema(tuple(paths), folder)
    if isinstance(schema, str):
        return schema
    if schema.validate(root.getroottree()):
        return None
    err = schema.error_log[0]
    element = re.search(r"Element '([^']+)'", err.message or "")
    where = element.group(1).split("}")[-1] if element else "?"
    expected = re.search(r"Expected is (?:one of )?\(([^)]*)\)", err.message or "")
    names = ", ".join(n.strip().split("}")[-1] for n in expected.group(1).split(",")) if expected else ""
    return f"line {err.line}: element {where}: {err.type_name}" + (f" (expected: {names})" if names else "")


#: Schemas of messages carried in a MsgHead (besides the referrals of SCHEMA_FILES).
EXTRA_SCHEMA_FILES = {
    "http://www.kith.no/xmlstds/dialog/2013-01-23": "dialogmelding-v1.1.xsd",
    "http://www.kith.no/xmlstds/dialog/2006-10-11": "dialogmelding.xsd",
    "http://www.kith.no/xmlstds/apprec/2012-02-15": "AppRec-v1.1.xsd",
    "http://www.kith.no/xmlstds/apprec/2004-11-21": "AppRec-v1-2004-11-21.xsd",
}


_SCHEMAS: dict[tuple, object] = {}


class _LocalSchemas(etree.Resolver):
    """Resolve a schema import by its file name inside the --schemas folder: the KITH
    schemas import kith.xsd and xmldsig by http URL, and nothing is fetched from a network."""

    def __init__(self, folder: Path):
        super().__init__()
        self.files = {p.name: p for p in folder.rglob("*.xsd")}

    def resolve(self, url, pubid, context):
        name = (url or "").rstrip("/").rsplit("/", 1)[-1]
        if name in self.files and "://" in (url or ""):
            return self.resolve_filename(str(self.files[name]), context)
        return None


def _schema(paths: tuple, folder: Path):
    """One XMLSchema for the (namespace, file) pairs (a wrapper importing each), cached."""
    if paths not in _SCHEMAS:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        parser.resolvers.add(_LocalSchemas(folder))
        try:
            if len(paths) == 1:
                doc = etree.parse(str(paths[0][1]), parser)
            else:
                xs = "http://www.w3.org/2001/XMLSchema"
                wrapper = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
                for ns, path in paths:
                    etree.SubElement(wrapper, f"{{{xs}}}import", namespace=ns, schemaLocation=path.resolve().as_uri())
                doc = etree.ElementTree(etree.fromstring(etree.tostring(wrapper), parser))
            _SCHEMAS[paths] = etree.XMLSchema(doc)
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
            _SCHEMAS[paths] = f"the schema {paths[0][1].name} could not be loaded ({type(exc).__name__})"
    return _SCHEMAS[paths]


def _schema_path(folder: Path, name: str) -> Path | None:
    found = sorted(folder.rglob(name)) if folder.is_dir() else []
    return found[0] if found else None


