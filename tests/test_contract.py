"""One contract for every operation, in the style of scikit-learn's ``test_common``.

The request dataclass is each operation's declaration. For every RPC this checks that the
public function (``hftlab.api.base.OPERATIONS``) takes exactly the request's fields with the same
defaults, that the proto message carries every field with a compatible type, that the algorithm
accepts what the request passes, and that the declared example (``hftlab.bench.inputs.INPUTS``)
runs on both backends with identical results that have ``summary()`` and an HTML repr, while
bad input gets the same typed error from both. An operation added without any of these fails.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

import grpc
import numpy as np
import pandas as pd
import pytest
from google.protobuf.descriptor import FieldDescriptor

import hftlab
from hftlab.api.base import OPERATIONS
from hftlab.backends import GrpcBackend, GrpcConfig, LocalBackend
from hftlab.backends.local import HANDLERS
from hftlab.bench.inputs import INPUTS
from hftlab.errors import STATUS_TO_ERROR, HftlabError
from hftlab.rpc import codec
from hftlab.rpc.v1 import trading_pb2 as pb
from hftlab.types import REQUEST_TYPES, Block, arguments, flat_fields, request_fields

RPCS = sorted(REQUEST_TYPES)
SCALARS = {
    float: {FieldDescriptor.TYPE_DOUBLE},
    int: {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_INT32},
    bool: {FieldDescriptor.TYPE_BOOL},
    str: {FieldDescriptor.TYPE_STRING},
}
MESSAGES = {pd.Series: "Series", pd.DataFrame: "Frame", np.ndarray: "NDArray"}
BAD_VALUES = {  # operations whose first array may hold NaN (no quote) or that have none: a bad scalar
    "FindTriangularArbitrage": ("fee", 1.0),
    "RunMarketMaking": ("gamma", -1.0),
    "GetOrderBook": ("depth", 0),
    "StreamMarketData": ("batch_size", 0),
}


def _default(value):
    return None if value in (inspect.Parameter.empty, dataclasses.MISSING) else ("default", value)


def _same(left, right) -> bool:
    return hftlab.differences(left, right) == []


def _request(rpc: str):
    return REQUEST_TYPES[rpc](**INPUTS[rpc]())


def test_every_rpc_is_one_operation_everywhere():
    served = {method.name for method in pb.DESCRIPTOR.services_by_name["Trading"].methods}
    assert set(OPERATIONS) == set(REQUEST_TYPES) == served == set(INPUTS)
    assert {request.rpc for request in HANDLERS} == served
    for rpc, declared in OPERATIONS.items():
        assert declared.request_type is REQUEST_TYPES[rpc]
        assert getattr(hftlab, declared.function.__name__) is declared.function, rpc


@pytest.mark.parametrize("rpc", RPCS)
def test_the_public_function_takes_the_requests_fields_and_defaults(rpc):
    declared = OPERATIONS[rpc]
    fields = flat_fields(declared.request_type)  # a block's fields are parameters of their own
    parameters = inspect.signature(declared.function).parameters
    for name in declared.client_only:
        assert name in parameters and name not in fields, f"{rpc}: client-only {name!r}"
    reached = set()
    for name, parameter in parameters.items():
        if name in declared.client_only:
            continue
        targets = declared.split.get(name, (name,))
        assert set(targets) <= set(fields), f"{rpc}: parameter {name!r} is not a request field"
        reached |= set(targets)
        if name in declared.split:
            continue
        api, request = _default(parameter.default), _default(fields[name].default)
        if api != request:
            assert api is not None and request is not None, f"{rpc}: {name!r} defaults {api} and {request}"
            example = {k: v for k, v in INPUTS[rpc]().items() if k != name}
            given = arguments(declared.request_type.from_flat(**example, **{name: api[1]}))[name]
            assert _same(given, arguments(declared.request_type(**example))[name]), f"{rpc}: {name!r} default"
    assert reached == set(fields), f"{rpc}: request fields no parameter reaches: {set(fields) - reached}"


def _proto_compatible(hint, descriptor: FieldDescriptor) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return descriptor.has_presence and _proto_compatible(inner, descriptor)
    if origin is dict:
        entry = descriptor.message_type
        return entry is not None and entry.GetOptions().map_entry and descriptor.is_repeated
    if origin in (list, tuple):
        return descriptor.is_repeated and descriptor.type in SCALARS[args[0]]
    if typing.get_origin(hint) is typing.Annotated:  # e.g. Columns: an array that travels as a Frame
        return descriptor.message_type is not None and descriptor.message_type.name == hint.__metadata__[0]
    if hint in MESSAGES:
        return descriptor.message_type is not None and descriptor.message_type.name == MESSAGES[hint]
    return not descriptor.is_repeated and descriptor.type in SCALARS[hint]


def _proto_carries(cls: type, descriptor, where: str) -> None:
    """Every field of the dataclass ``cls`` in the message ``descriptor``; a block's in its own message."""
    hints = typing.get_type_hints(cls, include_extras=True)
    for field in dataclasses.fields(cls):
        assert field.name in descriptor.fields_by_name, f"{where} has no field {field.name!r}"
        proto, hint = descriptor.fields_by_name[field.name], hints[field.name]
        if isinstance(hint, type) and issubclass(hint, Block):
            assert proto.message_type is not None, f"{where}.{field.name}: a block needs a message"
            assert proto.message_type.name == hint.__name__, f"{where}.{field.name}"
            _proto_carries(hint, proto.message_type, f"{where}.{field.name}")
        else:
            assert _proto_compatible(hint, proto), f"{where}.{field.name}: {hint} vs proto"


@pytest.mark.parametrize("rpc", RPCS)
def test_the_proto_carries_every_field_with_its_type(rpc):
    _proto_carries(REQUEST_TYPES[rpc], codec.message_class(f"{rpc}Request").DESCRIPTOR, f"{rpc}Request")


@pytest.mark.parametrize("rpc", RPCS)
def test_the_algorithm_takes_what_the_request_passes(rpc):
    request = _request(rpc)
    signature = inspect.signature(HANDLERS[type(request)])
    signature.bind(**arguments(request))
    fields = flat_fields(type(request))
    for name, parameter in signature.parameters.items():
        declared = fields[name].default if name in fields else dataclasses.MISSING
        if parameter.default is not inspect.Parameter.empty and declared is not dataclasses.MISSING:
            assert _same(parameter.default, declared), f"{rpc}: {name!r} is {declared!r} in the request"


@pytest.fixture(scope="module")
def remote(grpc_address):
    with GrpcBackend(GrpcConfig.from_address(grpc_address, timeout=300)) as backend:
        yield backend


def _run(backend, request):
    if request.streaming:
        return list(backend.stream(request))
    return backend.execute(request)


@pytest.mark.parametrize("rpc", RPCS)
def test_the_example_runs_identically_on_both_backends(rpc, remote):
    request = _request(rpc)
    local, over_grpc = _run(LocalBackend(), request), _run(remote, request)
    if rpc == "GetServerInfo":  # describes the process that answered
        assert local.operations == over_grpc.operations and local.version == over_grpc.version
    else:
        assert hftlab.differences(local, over_grpc) == []
    for result in local if isinstance(local, list) else [local]:
        assert isinstance(result.summary(), pd.Series | str) and len(result.summary())
        assert result._repr_html_().lstrip().startswith("<")


def _corrupted(request) -> tuple[str, object]:
    """A field of the request and a bad value for it: a NaN in its first array, or a bad scalar."""
    if request.rpc in BAD_VALUES:
        return BAD_VALUES[request.rpc]
    for field in dataclasses.fields(request):
        value = getattr(request, field.name)
        if isinstance(value, np.ndarray) and value.dtype.names and value.size > 2:  # a table of records
            bad = value.copy()
            bad[next(n for n in bad.dtype.names if bad.dtype[n].kind == "f")][len(bad) // 2] = np.nan
            return field.name, bad
        if isinstance(value, pd.Series | pd.DataFrame | np.ndarray) and value.size > 2:
            bad = value.astype(np.float64)  # a copy
            if isinstance(bad, pd.DataFrame):
                bad.iat[len(bad) // 2, 0] = np.nan
            elif isinstance(bad, pd.Series):
                bad.iat[len(bad) // 2] = np.nan
            else:
                bad.reshape(-1)[bad.size // 2] = np.nan
            return field.name, bad
    raise AssertionError(f"{request.rpc}: no array input; give it a bad value in BAD_VALUES")


@pytest.mark.parametrize("rpc", [rpc for rpc in RPCS if rpc != "GetServerInfo"])
def test_bad_input_gets_the_same_typed_error_on_both_backends(rpc, grpc_address):
    request = _request(rpc)
    name, bad = _corrupted(request)
    with pytest.raises(HftlabError) as local:  # on building the request, or where the work starts
        _run(LocalBackend(), type(request)(**{**request_fields(request), name: bad}))
    unchecked = object.__new__(type(request))  # what a foreign client may send: never validated
    for field in dataclasses.fields(request):
        object.__setattr__(unchecked, field.name, bad if field.name == name else getattr(request, field.name))
    data = codec.to_wire(unchecked, codec.message_class(f"{rpc}Request"))
    with grpc.insecure_channel(grpc_address.removeprefix("grpc://")) as channel:
        kind = channel.unary_stream if request.streaming else channel.unary_unary
        with pytest.raises(grpc.RpcError) as error:
            answer = kind(f"/hftlab.v1.Trading/{rpc}")(data, timeout=300)
            if request.streaming:
                list(answer)
    over_grpc = STATUS_TO_ERROR[error.value.code().name](error.value.details())
    assert (type(over_grpc), str(over_grpc)) == (type(local.value), str(local.value))
    assert name in str(local.value), f"{rpc}: the message does not name {name!r}: {local.value}"
