"""Reading rendered pages as a tree (Django's own HTML parser), for the UI tests."""

from django.test.html import Element, parse_html


def tree(response_or_html) -> Element:
    html = getattr(response_or_html, "content", response_or_html)
    if isinstance(html, bytes):
        html = html.decode()
    return parse_html(html)


def elements(node):
    """`node` and every element below it, in document order."""
    if isinstance(node, Element) and node.name:
        yield node
    for child in getattr(node, "children", []):
        if isinstance(child, Element):
            yield from elements(child)


def attrs(element) -> dict:
    return {name: value for name, value in element.attributes}


def find_all(node, tag=None, **wanted):
    """Elements with this tag and these attributes (`aria_label=` means aria-label;
    a trailing underscore avoids Python keywords, `class_=`; True means "present")."""
    for element in elements(node):
        if tag and element.name != tag:
            continue
        values = attrs(element)
        if all(
            (key.rstrip("_").replace("_", "-") in values)
            if value is True
            else values.get(key.rstrip("_").replace("_", "-")) == value
            for key, value in wanted.items()
        ):
            yield element


def find(node, tag=None, **wanted):
    return next(find_all(node, tag, **wanted), None)


def by_id(node, element_id):
    return find(node, id=element_id)


def has_class(element, css_class: str) -> bool:
    return css_class in (attrs(element).get("class") or "").split()


def text(node) -> str:
    parts = []
    for child in getattr(node, "children", []):
        parts.append(text(child) if isinstance(child, Element) else str(child))
    return " ".join(" ".join(parts).split())
