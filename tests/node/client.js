#!/usr/bin/env node
// A Node.js client of the hftlab gRPC service, built from proto/hftlab/v1/trading.proto alone
// (@grpc/proto-loader + @grpc/grpc-js): proof that the .proto is the contract.
//
// Usage: node client.js ADDRESS INPUTS.json
//
// ADDRESS is host:port (a "grpc://" prefix is accepted). INPUTS.json maps an RPC name to a list of
// requests, each written with the proto field names:
//   {"CalculateMeanReversion": [{"prices": [100.1, ...], "lookback": 20, "entry_z": 2, "exit_z": 0.5}],
//    "OptimizePortfolio": [{"prices_or_returns": {"AAPL": [...], "JNJ": [...]},
//                           "upper_bounds": {"AAPL": 0.4, "JNJ": 0.8}, "method": "min_variance", ...}]}
// Fields of type Series take a list (RangeIndex) or an object {label: number} (string labels); Frame
// fields take an object {column: [numbers]}; NDArray fields a list; other fields pass through as
// given (every scalar must be given: proto3 has no defaults of its own). The client writes the
// little-endian float64 buffers itself.
//
// Output: the same keys, each with the list of responses. The client decodes every NDArray buffer
// itself (float64 with readDoubleLE); a float is printed as the shortest decimal string that reads
// back to the same double (ECMAScript Number#toString), "-0" for negative zero, "NaN", "Infinity",
// "-Infinity": exact, and readable by Python's float(). int64 fields are decimal strings (longs:
// String); a Series is {"name", "index", "dtype", "values"}, its index {"range": [start, stop, step]}
// or {"labels": [...]}.
"use strict";

const fs = require("fs");
const path = require("path");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");

const PROTO_ROOT = path.resolve(__dirname, "..", "..", "proto");
const PACKAGE = "hftlab.v1";

// ---------------------------------------------------------------- encoding (requests)

function float64Array(values, field) {
  const data = Buffer.alloc(8 * values.length);
  values.forEach((value, i) => {
    if (typeof value !== "number") throw new Error(`'${field}' must hold numbers; got ${JSON.stringify(value)}`);
    data.writeDoubleLE(value, 8 * i);
  });
  return { dtype: "<f8", shape: [values.length], data };
}

// numpy's fixed-width unicode ("<U<n>"): n UTF-32LE code units per label, NUL padded.
function unicodeArray(labels) {
  const points = labels.map((label) => Array.from(String(label), (ch) => ch.codePointAt(0)));
  const width = Math.max(1, ...points.map((p) => p.length));
  const data = Buffer.alloc(4 * width * labels.length);
  points.forEach((codes, i) => codes.forEach((code, j) => data.writeUInt32LE(code, 4 * (width * i + j))));
  return { dtype: `<U${width}`, shape: [labels.length], data };
}

function rangeIndex(length) {
  return { range: { start: 0, stop: length, step: 1 } };
}

function series(value, field) {
  if (Array.isArray(value)) return { values: float64Array(value, field), index: rangeIndex(value.length) };
  const labels = Object.keys(value);
  return {
    values: float64Array(labels.map((label) => value[label]), field),
    index: { values: unicodeArray(labels) },
  };
}

function frame(value, field) {
  const columns = Object.keys(value);
  const lengths = new Set(columns.map((column) => value[column].length));
  if (lengths.size !== 1) throw new Error(`'${field}' columns must have one length; got ${[...lengths]}`);
  return {
    columns,
    data: columns.map((column) => float64Array(value[column], `${field}.${column}`)),
    index: rangeIndex(value[columns[0]].length),
  };
}

const ENCODERS = { Series: series, Frame: frame, NDArray: float64Array };

// The message `type` from its JSON form, directed by its field types (a nested message other than
// Series, Frame and NDArray, such as a block of shared parameters, is an object of its own fields).
function encodeMessage(definition, type, input) {
  const fields = definition[`${PACKAGE}.${type}`].type.field;
  const known = new Map(fields.map((f) => [f.name, f]));
  const message = {};
  for (const [name, value] of Object.entries(input)) {
    const field = known.get(name);
    if (!field) throw new Error(`${type} has no field '${name}'`);
    if (value === null) continue; // unset (proto3 `optional` and message fields)
    if (field.type !== "TYPE_MESSAGE") message[name] = value;
    else if (field.typeName in ENCODERS) message[name] = ENCODERS[field.typeName](value, name);
    else message[name] = encodeMessage(definition, field.typeName, value);
  }
  return message;
}

// ---------------------------------------------------------------- decoding (responses)

function formatFloat(x) {
  return Object.is(x, -0) ? "-0" : String(x);
}

const INTEGERS = {
  "|i1": (b, o) => b.readInt8(o), "|u1": (b, o) => b.readUInt8(o),
  "<i2": (b, o) => b.readInt16LE(o), "<u2": (b, o) => b.readUInt16LE(o),
  "<i4": (b, o) => b.readInt32LE(o), "<u4": (b, o) => b.readUInt32LE(o),
  "<i8": (b, o) => b.readBigInt64LE(o).toString(), "<u8": (b, o) => b.readBigUInt64LE(o).toString(),
};

// An NDArray's elements (flattened, C order) as JSON values.
function decodeArray(array) {
  const shape = array.shape.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const { dtype, data } = array;
  const read = (itemsize, get) => {
    if (data.length !== itemsize * count) throw new Error(`${data.length} bytes do not hold ${shape} of ${dtype}`);
    return Array.from({ length: count }, (_, i) => get(data, itemsize * i));
  };
  if (dtype === "<f8") return read(8, (b, o) => formatFloat(b.readDoubleLE(o)));
  if (dtype === "<f4") return read(4, (b, o) => formatFloat(b.readFloatLE(o)));
  if (dtype === "|b1") return read(1, (b, o) => b.readUInt8(o) !== 0);
  if (dtype in INTEGERS) return read(Number(dtype.slice(2)), INTEGERS[dtype]);
  const unicode = /^<U(\d+)$/.exec(dtype);
  if (unicode) {
    const width = Number(unicode[1]);
    return read(4 * width, (b, o) => {
      const codes = [];
      for (let j = 0; j < width && b.readUInt32LE(o + 4 * j) !== 0; j++) codes.push(b.readUInt32LE(o + 4 * j));
      return String.fromCodePoint(...codes);
    });
  }
  throw new Error(`dtype ${dtype} is not decoded by this client`);
}

function decodeIndex(index) {
  if (index.kind === "range") return { range: [index.range.start, index.range.stop, index.range.step] };
  if (index.kind === "values") return { labels: decodeArray(index.values), tz: index.tz };
  return { range: ["0", "0", "1"] };
}

function isArrayMessage(v) {
  return v.dtype !== undefined && v.shape !== undefined && Buffer.isBuffer(v.data);
}

// A response (or part of it) as plain JSON: arrays decoded, doubles exact, int64 as strings.
function plain(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return formatFloat(value);
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  if (isArrayMessage(value)) return { dtype: value.dtype, shape: value.shape, values: decodeArray(value) };
  if (value.values && value.index && isArrayMessage(value.values)) {
    return {
      name: value.name === undefined ? null : value.name,
      index: decodeIndex(value.index),
      dtype: value.values.dtype,
      values: decodeArray(value.values),
    };
  }
  if (Array.isArray(value.columns) && value.index && Array.isArray(value.data)) {
    return {
      index: decodeIndex(value.index),
      columns: Object.fromEntries(value.columns.map((c, i) => [c, plain(value.data[i])])),
    };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

// ---------------------------------------------------------------- calls

function call(client, rpc, request) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + 60_000);
    client[rpc](request, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

async function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write("usage: node client.js ADDRESS INPUTS.json\n");
    return 2;
  }
  const address = argv[0].replace(/^grpc:\/\//, "");
  const inputs = JSON.parse(fs.readFileSync(argv[1], "utf8"));
  const definition = protoLoader.loadSync("hftlab/v1/trading.proto", {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    bytes: Buffer,
    defaults: true,
    oneofs: true,
  });
  const Trading = grpc.loadPackageDefinition(definition).hftlab.v1.Trading;
  const client = new Trading(address, grpc.credentials.createInsecure());
  try {
    const output = {};
    for (const [rpc, requests] of Object.entries(inputs)) {
      if (typeof client[rpc] !== "function") throw new Error(`the Trading service has no RPC '${rpc}'`);
      output[rpc] = [];
      for (const input of requests) {
        output[rpc].push(plain(await call(client, rpc, encodeMessage(definition, `${rpc}Request`, input))));
      }
    }
    process.stdout.write(`${JSON.stringify(output, null, 1)}\n`);
    return 0;
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    const status = error.code !== undefined ? ` (gRPC status ${grpc.status[error.code]})` : "";
    process.stderr.write(`${error.message}${status}\n`);
    process.exitCode = 1;
  },
);
