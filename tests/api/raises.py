"""The problem codes a route can answer, read from the source: a call graph over `app/`, built with `ast`.

The OpenAPI document lists, per operation, the codes the route declares (app/api/openapi.py). This module derives
them independently, so a test can check that the declarations miss nothing: from the route's function it follows
every name it mentions (calls, functions handed to the model queue, dependencies in annotations) to the functions
and methods of `app/` they can mean, and collects the domain errors raised on the way.

Resolution errs on the side of reaching too much: a method call on an object of unknown type (`services.keys.issue`)
is taken to mean every method of that name in `app/`, and an `except` that swallows an error is not subtracted.
The declarations must therefore cover a little more than can truly happen, never less. The one exception, names
too common to resolve that way (`get`, `decode`: also methods of dicts and bytes), is checked by a test of its
own: app methods of those names that can raise are called on `self` only, which is resolved exactly.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
# Methods of builtins and libraries that share a name with some method in app/ and would link unrelated code.
TOO_COMMON = frozenset({"get", "close", "read", "write", "add", "update", "delete", "items", "values",
                         "keys", "append", "extend", "pop", "copy", "join", "split", "strip", "encode", "decode",
                         "format", "lower", "upper", "startswith", "endswith", "replace", "execute", "scalar",
                         "scalars", "begin", "commit", "rollback", "flush", "info", "warning", "error", "debug",
                         "exception", "labels", "inc", "observe", "set", "put", "acquire", "release", "wait"})
# Calls that run a function they are handed.
_RUNNERS = frozenset({"run_in_threadpool", "run_sync", "run", "run_each", "submit", "partial"})
# Starlette's HTTPException, by status, as app/api/problems.py names it.
HTTP_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "REQUEST_TOO_LARGE"}


@dataclass
class _Function:
    module: str
    raised: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # simple names mentioned
    attributes: set[tuple[str, str, bool]] = field(default_factory=set)  # (base name, attribute, called)


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _parts(module: str, node: ast.AST) -> list[ast.AST]:
    """What runs when `node` is used: a function's body and defaults (and, in the HTTP layer, its annotations,
    where FastAPI's dependencies sit); for a class, what building it runs (`__init__` and pydantic validators);
    for a module-level alias, its value. Other annotations only name types, and are left out."""
    if isinstance(node, ast.ClassDef):
        return [part for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and (item.name in {"__init__", "__post_init__"} or any(
                    "validator" in ast.unparse(decorator) for decorator in item.decorator_list))
                for part in item.body]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        parts: list[ast.AST] = [*node.body, *node.args.defaults, *node.args.kw_defaults]
        if module.startswith("app.api"):
            parts += [arg.annotation for arg in [*node.args.args, *node.args.kwonlyargs] if arg.annotation]
        return [part for part in parts if part is not None]
    depends = [call for call in ast.walk(node) if isinstance(call, ast.Call) and _name(call.func) == "Depends"]
    return depends or [node]  # `X = Annotated[T, Depends(f)]` runs f, not T


def error_codes() -> dict[str, str]:
    """Every FacegateError subclass of app/ by class name -> its `code`, read from the class bodies."""
    bodies: dict[str, tuple[list[str], str | None]] = {}
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                code = next((stmt.value.value for stmt in node.body if isinstance(stmt, ast.Assign)
                             and [getattr(t, "id", None) for t in stmt.targets] == ["code"]
                             and isinstance(stmt.value, ast.Constant)), None)
                bodies[node.name] = ([getattr(base, "id", "") for base in node.bases], code)

    def is_error(name: str) -> bool:
        return name == "FacegateError" or any(is_error(base) for base in bodies.get(name, ([], None))[0])

    def code_of(name: str) -> str:
        bases, code = bodies[name]
        return code if code is not None else code_of(bases[0])

    return {name: code_of(name) for name in bodies if is_error(name)}


class CallGraph:
    def __init__(self) -> None:
        self.errors = error_codes()
        self.functions: dict[tuple[str, str], _Function] = {}
        self.by_name: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.imports: dict[str, dict[str, tuple[str, str | None]]] = {}  # module -> local name -> (module, name)
        self.properties: set[str] = set()
        self.parents: dict[tuple[str, str], tuple[str, str]] = {}
        self.reached: set[tuple[str, str]] = set()
        for path in sorted(APP.rglob("*.py")):
            self._read(_module_name(path), ast.parse(path.read_text()))

    def _read(self, module: str, tree: ast.Module) -> None:
        imports: dict[str, tuple[str, str | None]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
                for alias in node.names:
                    imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("app"):
                        imports[alias.asname or alias.name] = (alias.name, None)
        self.imports[module] = imports
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._add(module, node.name, node)
            elif isinstance(node, ast.ClassDef):
                self._add(module, node.name, node)  # the class itself: what constructing it runs
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        self._add(module, f"{node.name}.{item.name}", item)
            elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):  # an alias such as `EnrollCaller = Annotated[...]`
                        self._add(module, target.id, node.value)

    def _add(self, module: str, qualname: str, node: ast.AST) -> None:
        function = _Function(module)
        called = set()
        for part in _parts(module, node):
            for sub in ast.walk(part):
                if isinstance(sub, ast.Call):
                    called.add(id(sub.func))
                    if _name(sub.func) in _RUNNERS:  # handed to something that calls it: a thread, the model queue
                        called |= {*map(id, sub.args), *(id(kw.value) for kw in sub.keywords)}
                if isinstance(sub, ast.Raise) and sub.exc is not None:
                    function.raised |= self._raised(sub.exc)
                elif isinstance(sub, ast.Name):
                    function.names.add(sub.id)
                elif isinstance(sub, ast.Attribute):
                    base = sub.value.id if isinstance(sub.value, ast.Name) else ""
                    function.attributes.add((base, sub.attr, id(sub) in called))
        self.functions[(module, qualname)] = function
        self.by_name[qualname.rsplit(".", 1)[-1]].add((module, qualname))
        if isinstance(node, ast.FunctionDef) and any(getattr(d, "id", "") in {"property", "cached_property"}
                                                     for d in node.decorator_list):
            self.properties.add(node.name)

    def _raised(self, exc: ast.expr) -> set[str]:
        call = exc.func if isinstance(exc, ast.Call) else exc
        chain = []
        while isinstance(call, ast.Attribute):  # `errors.TooManyImages(...)`, `GalleryNotFound.named(...)`
            chain.append(call.attr)
            call = call.value
        name = call.id if isinstance(call, ast.Name) else ""
        for part in (name, *chain):
            if part in self.errors:
                return {self.errors[part]}
        if name == "RequestValidationError":
            return {"VALIDATION_ERROR"}
        if name == "HTTPException" and isinstance(exc, ast.Call) and exc.args:
            statuses = {n.value for n in ast.walk(exc.args[0]) if isinstance(n, ast.Constant)}
            return {HTTP_CODES[status] for status in statuses if status in HTTP_CODES}
        return set()

    def _targets(self, module: str, qualname: str, function: _Function) -> Iterator[tuple[str, str]]:
        imports = self.imports[module]
        own_class = qualname.split(".")[0] if "." in qualname else None
        for name in function.names:
            if (module, name) in self.functions:
                yield module, name
            elif name in imports:
                source, imported = imports[name]
                if imported is not None and (source, imported) in self.functions:
                    yield source, imported
        for base, attr, called in function.attributes:
            local = f"{own_class if base in {'self', 'cls'} else base}.{attr}"
            if (module, local) in self.functions:  # `self.method`, or `Class.method` of a class of this module
                yield module, local
                continue
            source = imports.get(base)
            target_module = None if source is None else source[0] if source[1] is None else ".".join(source)
            if target_module in self.imports:  # `module.function` of an imported module
                if (target_module, attr) in self.functions:
                    yield target_module, attr
                continue
            if source is not None and (source[0], f"{source[1]}.{attr}") in self.functions:
                yield source[0], f"{source[1]}.{attr}"  # `Class.method` of an imported class
                continue
            if (called or attr in self.properties) and attr not in TOO_COMMON and not attr.startswith("__"):
                yield from (key for key in self.by_name.get(attr, ()) if "." in key[1])

    def reachable_codes(self, module: str, qualname: str) -> set[str]:
        """Every code raised by `module.qualname` or by anything it can reach."""
        seen: set[tuple[str, str]] = set()
        stack = [(module, qualname)]
        codes: set[str] = set()
        self.parents = {}  # how each function was reached, for a test's message
        self.reached = seen
        while stack:
            key = stack.pop()
            if key in seen or key not in self.functions:
                continue
            seen.add(key)
            function = self.functions[key]
            codes |= function.raised
            for target in self._targets(key[0], key[1], function):
                self.parents.setdefault(target, key)
                stack.append(target)
        return codes

    def path_to(self, code: str) -> list[str]:
        """After `reachable_codes`: one chain of calls from the route to a function raising `code`."""
        for key, function in self.functions.items():
            if code in function.raised and key in self.reached:
                chain = [key]
                while chain[-1] in self.parents:
                    chain.append(self.parents[chain[-1]])
                return [f"{module}:{name}" for module, name in reversed(chain)]
        return []
