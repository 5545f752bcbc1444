"""The barge-in scorer's trees, evaluated by ONNX Runtime's tree-ensemble kernel.

The model file keeps the trees as plain arrays (node feature, threshold, children, leaf value:
what `bench/bargein_train` writes from scikit-learn). At load they become one `TreeEnsemble`
node of ONNX's ML domain, in double precision, run on a one-thread ONNX Runtime session: a
compiled tree walk costs ~9 us a score where the vectorised numpy walk it replaced cost ~100 us
(300 trees, 18 levels), and a frame's score is on the event loop for every call in a candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from voice.errors import VoiceError

_ML_OPSET = 5  # `TreeEnsemble` (ai.onnx.ml 5): double thresholds and leaf weights
_BRANCH_LEQ = 0  # go to the "true" child when x <= threshold (scikit-learn's rule)
_SUM = 1


def _graph(trees: Sequence[Mapping[str, Sequence[float]]], n_inputs: int) -> bytes:
    """One ONNX model summing the trees' leaf values. In the file a node is a leaf when its
    feature is negative; ONNX numbers inner nodes and leaves separately."""
    feature: list[int] = []
    split: list[float] = []
    true_id: list[int] = []
    true_leaf: list[int] = []
    false_id: list[int] = []
    false_leaf: list[int] = []
    roots: list[int] = []
    weights: list[float] = []
    for t in trees:
        nodes = [int(f) for f in t["feature"]]
        inner: dict[int, int] = {}
        leaf: dict[int, int] = {}
        for i, f in enumerate(nodes):
            if f >= 0:
                inner[i] = len(feature) + len(inner)
            else:
                leaf[i] = len(weights) + len(leaf)
        if 0 not in inner:  # a lone leaf: ONNX trees start at an inner node
            raise VoiceError("barge-in model has a tree without a split")
        roots.append(inner[0])
        for i, f in enumerate(nodes):
            if f < 0:
                continue
            if not 0 <= f < n_inputs:
                raise VoiceError(f"barge-in model splits on input {f} of {n_inputs}")
            feature.append(f)
            split.append(float(t["threshold"][i]))
            for child, ids, leafs in (
                (int(t["left"][i]), true_id, true_leaf),
                (int(t["right"][i]), false_id, false_leaf),
            ):
                ids.append(inner[child] if child in inner else leaf[child])
                leafs.append(int(child not in inner))
        weights += [float(t["value"][i]) for i, f in enumerate(nodes) if f < 0]
    node = helper.make_node(
        "TreeEnsemble",
        ["x"],
        ["total"],
        domain="ai.onnx.ml",
        nodes_featureids=feature,
        nodes_splits=numpy_helper.from_array(np.asarray(split, np.float64)),
        nodes_modes=numpy_helper.from_array(np.full(len(feature), _BRANCH_LEQ, np.uint8)),
        nodes_truenodeids=true_id,
        nodes_trueleafs=true_leaf,
        nodes_falsenodeids=false_id,
        nodes_falseleafs=false_leaf,
        leaf_targetids=[0] * len(weights),
        leaf_weights=numpy_helper.from_array(np.asarray(weights, np.float64)),
        tree_roots=roots,
        aggregate_function=_SUM,
        post_transform=0,
        n_targets=1,
    )
    graph = helper.make_graph(
        [node],
        "bargein_forest",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, n_inputs])],
        [helper.make_tensor_value_info("total", TensorProto.DOUBLE, [None, 1])],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", _ML_OPSET)],
    )
    model.ir_version = 10
    return model.SerializeToString()


class Forest:
    """Sum of the trees' leaf values for an input vector (or a batch of them)."""

    def __init__(self, trees: Sequence[Mapping[str, Sequence[float]]], n_inputs: int) -> None:
        self.count = len(trees)
        self.n_inputs = n_inputs
        self._session: ort.InferenceSession | None = None
        if not trees:  # a model with no trees scores its init alone (training's collector)
            return
        options = ort.SessionOptions()
        # one score is microseconds of work: threads would cost more than they save
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(
                _graph(trees, n_inputs), options, providers=["CPUExecutionProvider"]
            )
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise VoiceError(f"barge-in model trees are malformed: {exc!r}") from exc
        except ort.capi.onnxruntime_pybind11_state.Fail as exc:  # type: ignore[attr-defined]
            raise VoiceError(f"barge-in model trees are malformed: {exc}") from exc

    def __len__(self) -> int:
        return self.count

    def totals(self, rows: np.ndarray) -> np.ndarray:
        """One total per row of a (n, n_inputs) array."""
        x = np.ascontiguousarray(rows, np.float64).reshape(-1, self.n_inputs)
        if self._session is None:
            return np.zeros(len(x))
        return self._session.run(None, {"x": x})[0][:, 0]

    def total(self, x: np.ndarray) -> float:
        return float(self.totals(x)[0])


__all__ = ["Forest"]
