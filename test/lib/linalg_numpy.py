"""A float64 numpy interpreter for attention graphs on tensors, written
independently of the compiler: it evaluates a function op by op, as MLIR's
generic printer writes it, so that a compiled graph (raised to attn.sdpa or
not) can be checked against what the graph itself says.

Supported: func.func / func.return, arith.constant (scalars and dense
tensors), tensor.empty / expand_shape / collapse_shape, linalg.generic (any
indexing maps of dims and constants, parallel and reduction loops,
linalg.index) with arith and math ops and tensor.extract in the body,
linalg.softmax, and scalar arith, math and tensor.extract ops outside bodies. Named
linalg ops and TOSA are expected to have been rewritten into these by
upstream passes (tosa-to-linalg, linalg-generalize-named-ops) before.

Floats are evaluated in float64 whatever their type, except that arith.truncf
rounds to its result type as the graph asks; integers are int64, i1 bool."""

import itertools
import re

import numpy as np

CMPI = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]
CMPF = ["false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt",
        "uge", "ult", "ule", "une", "uno", "true"]


class Unsupported(Exception):
    pass


# --------------------------------------------------------------------------
# Types and attributes


def parse_type(text):
    """('tensor', shape, elem) or ('scalar', None, elem)."""
    text = text.strip()
    if text.startswith("tensor<"):
        match = re.match(r"^((?:(?:\d+|\?)x)*)(.*)$", text[len("tensor<"):-1])
        dims = [d for d in match.group(1).split("x") if d]
        return ("tensor", tuple(-1 if d == "?" else int(d) for d in dims),
                match.group(2))
    return ("scalar", None, text)


def is_float(elem):
    return elem in ("f16", "bf16", "f32", "f64")


def hex_float(bits, elem):
    if elem == "f32":
        return float(np.array([bits], dtype=np.uint32).view(np.float32)[0])
    if elem == "f64":
        return float(np.array([bits], dtype=np.uint64).view(np.float64)[0])
    if elem == "f16":
        return float(np.array([bits], dtype=np.uint16).view(np.float16)[0])
    if elem == "bf16":
        return float(np.array([bits << 16], dtype=np.uint32).view(np.float32)[0])
    raise Unsupported(f"hex literal for {elem}")


def round_to(x, elem):
    """x rounded to the float type `elem` (nearest even), as float64."""
    x = np.asarray(x, dtype=np.float64)
    if elem == "f16":
        return x.astype(np.float16).astype(np.float64)
    if elem == "f32":
        return x.astype(np.float32).astype(np.float64)
    if elem == "bf16":
        bits = x.astype(np.float32).view(np.uint32)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return bits.astype(np.uint32).view(np.float32).astype(np.float64)
    return x


def parse_scalar(token, elem):
    token = token.strip()
    if token in ("true", "false"):
        return token == "true"
    if token.startswith("0x") and is_float(elem):
        return hex_float(int(token, 16), elem)
    if is_float(elem):
        return float(token)
    if elem == "i1":
        return bool(int(token))
    return int(token)


def split_top(text, sep=","):
    """Splits at `sep` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>" and not (ch == ">" and i > 0 and text[i - 1] == "-"):
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_dense(body, shape, elem):
    """The inside of dense<...>: a splat or nested lists."""
    body = body.strip()
    dtype = np.float64 if is_float(elem) else (np.bool_ if elem == "i1" else np.int64)
    if not body.startswith("["):
        return np.full(shape, parse_scalar(body, elem), dtype=dtype)
    flat = [parse_scalar(t, elem) for t in re.findall(r"[^\[\],\s]+", body)]
    return np.array(flat, dtype=dtype).reshape(shape)


def parse_properties(text):
    """name -> raw text for the properties in <{...}>."""
    match = re.search(r"<\{(.*)\}>", text)
    if not match:
        return {}
    props = {}
    for part in split_top(match.group(1)):
        name, _, value = part.partition("=")
        props[name.strip()] = value.strip()
    return props


class AffineMap:
    def __init__(self, text):
        match = re.match(r"affine_map<\((.*?)\)(?:\[.*?\])? -> \((.*)\)>", text.strip())
        if not match:
            raise Unsupported(f"affine map {text}")
        self.dims = [d.strip() for d in match.group(1).split(",") if d.strip()]
        self.results = split_top(match.group(2))
        self.code = []
        for expr in self.results:
            expr = expr.replace("floordiv", "//").replace("mod", "%")
            self.code.append(compile(expr, "<affine>", "eval"))

    def apply(self, indices):
        env = dict(zip(self.dims, indices))
        return [eval(code, {"__builtins__": {}}, env) for code in self.code]

    def dim_positions(self):
        """result position -> loop dim index, for results that are one dim."""
        out = {}
        for pos, expr in enumerate(self.results):
            if expr in self.dims:
                out[pos] = self.dims.index(expr)
        return out


# --------------------------------------------------------------------------
# Parsing the generic form into nested ops


class Op:
    def __init__(self, results, name, operands, props, types, region=None,
                 block_args=None):
        self.results = results
        self.name = name
        self.operands = operands
        self.props = props
        self.types = types  # (operand types, result types)
        self.region = region or []
        self.block_args = block_args or []


OP_RE = re.compile(r'^\s*(?:(?P<res>%[\w]+(?::\d+)?) = )?"(?P<name>[\w.]+)"\((?P<ops>[^)]*)\)(?P<rest>.*)$')
SIG_RE = re.compile(r"\s:\s\((?P<ins>.*)\)\s->\s(?P<outs>.*)$")


def parse_signature(text):
    match = SIG_RE.search(text)
    if not match:
        raise Unsupported(f"no signature in: {text}")
    ins = [parse_type(t) for t in split_top(match.group("ins"))]
    outs_text = match.group("outs").strip()
    if outs_text.startswith("(") and outs_text.endswith(")"):
        outs_text = outs_text[1:-1]
    outs = [parse_type(t) for t in split_top(outs_text)]
    return ins, outs


def result_names(res):
    if res is None:
        return []
    if ":" in res:
        base, count = res.split(":")
        return [f"{base}#{k}" for k in range(int(count))]
    return [res]


def parse_ops(lines, pos):
    """Parses ops until a line closing a region ('})' ...). Returns (ops,
    pos of the closing line)."""
    ops = []
    while pos < len(lines):
        line = lines[pos]
        stripped = line.strip()
        if stripped.startswith("})") or stripped == "}":
            return ops, pos
        if not stripped or stripped.startswith("^bb") or stripped.startswith("#"):
            pos += 1
            continue
        match = OP_RE.match(line)
        if not match:
            raise Unsupported(f"cannot parse: {line}")
        operands = [o.strip() for o in match.group("ops").split(",") if o.strip()]
        rest = match.group("rest")
        props = parse_properties(rest)
        if rest.rstrip().endswith("({"):
            # A region: block header, ops, then '}) : (types) -> types'.
            pos += 1
            header = lines[pos].strip()
            block_args = re.findall(r"(%[\w]+):", header) if header.startswith("^bb") else []
            if header.startswith("^bb"):
                pos += 1
            body, pos = parse_ops(lines, pos)
            close = lines[pos]
            ins, outs = parse_signature(close)
            op = Op(result_names(match.group("res")), match.group("name"), operands,
                    props, (ins, outs), body, block_args)
        else:
            if SIG_RE.search(rest):
                ins, outs = parse_signature(rest)
            else:
                ins, outs = [], []
            op = Op(result_names(match.group("res")), match.group("name"), operands,
                    props, (ins, outs))
        ops.append(op)
        pos += 1
    return ops, pos


def parse_module(text):
    """Returns ({alias: AffineMap}, {function name: func Op})."""
    lines = text.splitlines()
    aliases = {}
    for line in lines:
        match = re.match(r"^(#[\w]+) = (affine_map<.*>)\s*$", line)
        if match:
            aliases[match.group(1)] = AffineMap(match.group(2))
    ops, _ = parse_ops(lines, 0)
    funcs = {}

    def collect(op_list):
        for op in op_list:
            if op.name == "func.func":
                name = re.search(r'sym_name = "([^"]+)"', " ".join(
                    f"{k} = {v}" for k, v in op.props.items())).group(1)
                funcs[name] = op
            collect(op.region)
    collect(ops)
    return aliases, funcs


def function_signature(func):
    text = func.props["function_type"]
    ins, outs = text.split(") -> ")
    ins = [parse_type(t) for t in split_top(ins.strip()[1:])]
    outs = outs.strip()
    if outs.startswith("(") and outs.endswith(")"):
        outs = outs[1:-1]
    return ins, [parse_type(t) for t in split_top(outs)]


# --------------------------------------------------------------------------
# Evaluation


def to_array(value, type_):
    kind, shape, elem = type_
    if is_float(elem):
        return np.asarray(value, dtype=np.float64)
    if elem == "i1":
        return np.asarray(value, dtype=np.bool_)
    return np.asarray(value, dtype=np.int64)


def scalar_op(op, args, index_values):
    name = op.name
    out_elem = op.types[1][0][2] if op.types[1] else None
    with np.errstate(all="ignore"):
        if name == "arith.constant":
            return constant_value(op)
        if name == "tensor.extract":
            # In a body the indices may be loop indices (arrays).
            return args[0][tuple(np.asarray(a) for a in args[1:])]
        if name in ("arith.addf", "arith.addi"):
            return args[0] + args[1]
        if name in ("arith.subf", "arith.subi"):
            return args[0] - args[1]
        if name in ("arith.mulf", "arith.muli"):
            return args[0] * args[1]
        if name == "arith.divf":
            return np.divide(args[0], args[1])
        if name == "arith.negf":
            return -args[0]
        if name == "arith.maximumf":
            return np.maximum(args[0], args[1])
        if name == "arith.minimumf":
            return np.minimum(args[0], args[1])
        if name == "arith.maxnumf":
            return np.fmax(args[0], args[1])
        if name == "arith.minnumf":
            return np.fmin(args[0], args[1])
        if name == "arith.truncf":
            return round_to(args[0], out_elem)
        if name in ("arith.extf", "arith.index_cast", "arith.extsi",
                    "arith.sitofp", "arith.index_castui", "arith.extui", "arith.uitofp"):
            if name in ("arith.sitofp", "arith.uitofp"):
                return np.asarray(args[0], dtype=np.float64)
            return args[0]
        if name == "arith.select":
            return np.where(args[0], args[1], args[2])
        if name in ("arith.andi", "arith.ori", "arith.xori"):
            a, b = args
            if out_elem == "i1":
                a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
                return {"arith.andi": np.logical_and, "arith.ori": np.logical_or,
                        "arith.xori": np.logical_xor}[name](a, b)
            return {"arith.andi": np.bitwise_and, "arith.ori": np.bitwise_or,
                    "arith.xori": np.bitwise_xor}[name](a, b)
        if name == "arith.cmpi":
            pred = CMPI[int(op.props["predicate"].split(":")[0])]
            a, b = np.asarray(args[0], dtype=np.int64), np.asarray(args[1], dtype=np.int64)
            if pred.startswith("u"):
                a, b = a.astype(np.uint64), b.astype(np.uint64)
            return {"eq": a == b, "ne": a != b, "slt": a < b, "sle": a <= b,
                    "sgt": a > b, "sge": a >= b, "ult": a < b, "ule": a <= b,
                    "ugt": a > b, "uge": a >= b}[pred]
        if name == "arith.cmpf":
            pred = CMPF[int(op.props["predicate"].split(":")[0])]
            a, b = np.asarray(args[0]), np.asarray(args[1])
            unordered = np.isnan(a) | np.isnan(b)
            base = {"eq": a == b, "gt": a > b, "ge": a >= b, "lt": a < b,
                    "le": a <= b, "ne": a != b}
            if pred in ("false", "true"):
                return np.full(np.broadcast(a, b).shape, pred == "true")
            if pred == "ord":
                return ~unordered
            if pred == "uno":
                return unordered
            if pred[0] == "o":
                return base[pred[1:]] & ~unordered
            return base[pred[1:]] | unordered
        if name == "math.exp":
            return np.exp(args[0])
        if name == "math.log":
            return np.log(args[0])
        if name == "math.tanh":
            return np.tanh(args[0])
        if name == "math.sqrt":
            return np.sqrt(args[0])
        if name == "math.rsqrt":
            return 1.0 / np.sqrt(args[0])
        if name == "math.absf":
            return np.abs(args[0])
        if name == "math.exp2":
            return np.exp2(args[0])
        if name == "linalg.index":
            return index_values[int(op.props["dim"].split(":")[0])]
    raise Unsupported(f"op {name} in a linalg body")


def constant_value(op):
    """The value of an arith.constant: a scalar or an array."""
    value = op.props["value"]
    type_ = op.types[1][0]
    if " : " in value:
        value, _, type_text = value.rpartition(" : ")
        type_ = parse_type(type_text)
    if value.startswith("dense<"):
        return parse_dense(value[len("dense<"):-1], type_[1], type_[2])
    return parse_scalar(value, type_[2])


def map_list(text, aliases):
    items = split_top(text.strip()[1:-1])
    return [aliases[i] if i.startswith("#") else AffineMap(i) for i in items]


def eval_generic(op, values, aliases):
    maps = map_list(op.props["indexing_maps"], aliases)
    iterators = re.findall(r"iterator_type<(\w+)>", op.props["iterator_types"])
    segments = [int(x) for x in re.search(r"array<i32: (.*)>", op.props["operandSegmentSizes"]).group(1).split(",")]
    n_in, n_out = segments
    operands = [values[name] for name in op.operands]
    types = op.types[0]
    n_loops = len(iterators)
    ranges = [None] * n_loops
    for value, type_, amap in zip(operands, types, maps):
        if type_[0] != "tensor":
            continue
        for pos, dim in amap.dim_positions().items():
            ranges[dim] = value.shape[pos]
    if any(r is None for r in ranges):
        raise Unsupported("loop range not given by a shape")
    parallel = [d for d in range(n_loops) if iterators[d] == "parallel"]
    reduction = [d for d in range(n_loops) if iterators[d] == "reduction"]
    pshape = tuple(ranges[d] for d in parallel)
    index = [None] * n_loops
    for k, d in enumerate(parallel):
        shape = [1] * len(parallel)
        shape[k] = ranges[d]
        index[d] = np.arange(ranges[d]).reshape(shape)

    def gather(value, type_, amap):
        if type_[0] != "tensor":
            return value
        coords = amap.apply(index)
        if not coords:
            return value[()]
        return value[tuple(np.asarray(c) for c in coords)]

    outputs = [np.array(operands[n_in + k], copy=True) for k in range(n_out)]
    out_maps = maps[n_in:]
    accs = [gather(outputs[k], types[n_in + k], out_maps[k]) for k in range(n_out)]
    for point in itertools.product(*[range(ranges[d]) for d in reduction]):
        for d, r in zip(reduction, point):
            index[d] = r
        env = {}
        for k in range(n_in):
            env[op.block_args[k]] = gather(operands[k], types[k], maps[k])
        for k in range(n_out):
            env[op.block_args[n_in + k]] = accs[k]
        yielded = run_body(op.region, env, index, values)
        accs = list(yielded)
    for k in range(n_out):
        coords = out_maps[k].apply([index[d] if d in parallel else 0 for d in range(n_loops)])
        coords = tuple(np.broadcast_to(np.asarray(c), pshape) for c in coords)
        if coords:
            outputs[k][coords] = np.broadcast_to(accs[k], pshape)
        else:
            outputs[k][()] = accs[k]
    return outputs


def run_body(ops, env, index, outer):
    """Runs a linalg body; values from above come from `outer`."""
    def lookup(name):
        return env[name] if name in env else outer[name]
    for op in ops:
        if op.name == "linalg.yield":
            return [lookup(name) for name in op.operands]
        args = [lookup(name) for name in op.operands]
        env[op.results[0]] = scalar_op(op, args, index)
    raise Unsupported("linalg body without yield")


def eval_softmax(op, values):
    x = values[op.operands[0]]
    dim = int(op.props["dimension"].split(":")[0])
    shifted = x - np.max(x, axis=dim, keepdims=True)
    e = np.exp(shifted)
    with np.errstate(all="ignore"):
        return e / np.sum(e, axis=dim, keepdims=True)


def evaluate(text, name, args):
    """Evaluates function `name` of the generic-form module `text` on `args`
    (numpy arrays or Python scalars); returns a list of float64 / int64 / bool
    arrays."""
    aliases, funcs = parse_module(text)
    func = funcs[name]
    values = {}
    ins, _ = function_signature(func)
    for block_arg, arg, type_ in zip(func.block_args, args, ins):
        values[block_arg] = to_array(arg, type_)
    for op in func.region:
        out_types = op.types[1]
        if op.name == "func.return":
            return [values[o] for o in op.operands]
        if op.name == "arith.constant":
            values[op.results[0]] = to_array(constant_value(op), out_types[0])
        elif op.name == "tensor.empty":
            # Dynamic sizes are the operands, in order.
            sizes = iter(int(values[o]) for o in op.operands)
            shape = [next(sizes) if d == -1 else d for d in out_types[0][1]]
            values[op.results[0]] = to_array(np.zeros(shape), out_types[0])
        elif op.name == "tensor.dim":
            source = values[op.operands[0]]
            values[op.results[0]] = np.int64(source.shape[int(values[op.operands[1]])])
        elif op.name in ("tensor.expand_shape", "tensor.collapse_shape"):
            source = values[op.operands[0]]
            shape = list(out_types[0][1])
            if op.name == "tensor.expand_shape":
                # Dynamic sizes are the operands after the source, in order.
                sizes = iter(int(values[o]) for o in op.operands[1:])
                shape = [next(sizes) if d == -1 else d for d in shape]
            else:
                groups = re.findall(r"\[([\d, ]*)\]",
                                    op.props["reassociation"][1:-1])
                shape = [int(np.prod([source.shape[int(d)] for d in g.split(",")]))
                         for g in groups]
            values[op.results[0]] = source.reshape(shape)
        elif op.name == "linalg.generic":
            for result, value in zip(op.results, eval_generic(op, values, aliases)):
                values[result] = value
        elif op.name == "linalg.softmax":
            values[op.results[0]] = eval_softmax(op, values)
        elif op.name == "tensor.extract" or (
                op.name.split(".")[0] in ("arith", "math") and
                all(t[0] == "scalar" for t in out_types)):
            # Scalars computed outside linalg bodies (a run-time scale).
            args = [values[o] for o in op.operands]
            values[op.results[0]] = scalar_op(op, args, [])
        else:
            raise Unsupported(f"op {op.name}")
    raise Unsupported("function without return")
