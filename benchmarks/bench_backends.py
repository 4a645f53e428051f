"""Local vs gRPC cost of one ``mean_reversion`` call, measured side by side in one run.

Prints, per input size, the median wall time of the in-process call, of the same call
through a ``hftlab serve`` process on loopback, and their ratio: what the wire costs.
"""

import time

import numpy as np
import pandas as pd
from tqdm import tqdm

import hftlab
from hftlab.rpc.server import ServerProcess
from hftlab.types import MeanReversionRequest, ServerInfoRequest

SIZES = (250, 2_500, 25_000)
REPEATS = 30


def median_seconds(call, repeats: int = REPEATS) -> float:
    call()  # warm up (channel, caches)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    with ServerProcess() as server:
        remote = hftlab.get_client(server.address)
        local = hftlab.get_client("local")
        for n in tqdm(SIZES, desc="sizes"):
            prices = pd.Series(100 + np.cumsum(rng.normal(size=n)))
            request = MeanReversionRequest(prices)
            t_local = median_seconds(lambda r=request: local.execute(r))
            t_grpc = median_seconds(lambda r=request: remote.execute(r))
            rows.append({"n": n, "local_ms": 1e3 * t_local, "grpc_ms": 1e3 * t_grpc,
                         "grpc/local": t_grpc / t_local})
        info_local = median_seconds(lambda: local.execute(ServerInfoRequest()), 200)
        info_grpc = median_seconds(lambda: remote.execute(ServerInfoRequest()), 200)
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    print(f"empty round trip (server_info): local {1e6 * info_local:.1f} us, "
          f"grpc {1e6 * info_grpc:.1f} us, ratio {info_grpc / info_local:.0f}x")


if __name__ == "__main__":
    main()
