"""``torch.utils.data``, the part lessons' training loops use: ``Dataset``, ``TensorDataset``,
``DataLoader`` (``batch_size``, ``shuffle``, ``drop_last``, ``collate_fn``) and its default collation.

    >>> loader = DataLoader(TensorDataset(X, y), batch_size=2, shuffle=True)
    >>> for xb, yb in loader: ...

Batches are made as PyTorch makes them (``default_collate``): tensors are stacked, Python floats
become a float64 tensor and ints an int64 one, tuples and lists give a list of collated fields,
dicts a dict. Everything runs in the calling process (``num_workers`` is accepted and ignored);
``shuffle`` draws PyTorch's order for the seed (``manual_seed``): each pass draws a base seed for the
workers and a seed for a generator of its own, from which ``randperm`` draws the order, as PyTorch does.
"""
from __future__ import annotations

import collections.abc
import math
import numbers
import warnings

import numpy as np

from .dtypes import float64
from . import rng
from .factories import Generator, default_generator, randperm
from .ops.combine import stack
from .tensor import Tensor, tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader", "Sampler", "SequentialSampler", "RandomSampler",
           "default_collate", "default_convert"]


class Dataset:
    """The base of map-style datasets: define ``__getitem__`` (and ``__len__``)."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors: ``TensorDataset(X, y)[i]`` is ``(X[i], y[i])``."""

    def __init__(self, *tensors: Tensor) -> None:
        assert all(tensors[0].size(0) == t.size(0) for t in tensors), "Size mismatch between tensors"
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (what ``random_split`` returns)."""

    def __init__(self, dataset, indices) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=None) -> list:
    """Split ``dataset`` at random into parts of the given lengths (or fractions of its length: the
    samples left over by rounding down go one each to the first parts). The order comes from
    PyTorch's ``randperm`` (so the same seed gives PyTorch's parts)."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and sum(lengths) == 1 and n != 1 and all(0 <= f <= 1 for f in lengths):
        sizes = [math.floor(n * f) for f in lengths]
        for k in range(n - sum(sizes)):
            sizes[k % len(sizes)] += 1
        for k, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"Length of split at index {k} is 0. This might result in an empty dataset.",
                              UserWarning, stacklevel=2)
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(n, generator=generator).tolist()
    parts, start = [], 0
    for size in lengths:
        parts.append(Subset(dataset, order[start:start + size]))
        start += size
    return parts


class Sampler:
    """The order in which a DataLoader visits the dataset's indices."""

    def __init__(self, data_source=None) -> None:
        pass


class SequentialSampler(Sampler):
    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random order of all indices at every pass: without a generator, PyTorch's way (a seed
    drawn from the default stream seeds a generator of its own, whose ``randperm`` is the order)."""

    def __init__(self, data_source, replacement: bool = False, num_samples=None, generator=None) -> None:
        if replacement or num_samples is not None:
            raise NotImplementedError("RandomSampler with replacement or num_samples is not supported in autograd_lab")
        self.data_source = data_source
        self.generator = generator

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = Generator().manual_seed(rng.random_int64(default_generator))
        yield from randperm(n, generator=generator).tolist()

    def __len__(self) -> int:
        return len(self.data_source)


_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def default_convert(data):
    """What a DataLoader without batching gives: numpy arrays become tensors, the rest stays."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch):
    """One batch from a list of samples, as PyTorch's ``default_collate`` makes it."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        return default_collate([tensor(np.asarray(b)) for b in batch])
    if isinstance(elem, float):
        return tensor(batch, dtype=float64)
    if isinstance(elem, numbers.Integral):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


class DataLoader:
    """Iterate over a dataset in batches: ``for xb, yb in DataLoader(ds, batch_size=32, shuffle=True)``."""

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor=None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if batch_size is not None and (not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool)
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            raise NotImplementedError("DataLoader's batch_sampler is not supported in autograd_lab")
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.generator = generator
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        self.sampler = sampler
        self.collate_fn = collate_fn or (default_collate if batch_size is not None else default_convert)

    def __iter__(self):
        # As PyTorch's iterator: the sampler's pass begins, then a base seed for the workers is drawn
        # (there are none here, but the draw moves the random stream as in PyTorch).
        indices = iter(self.sampler)
        rng.random_int64(self.generator or default_generator)
        return self._batches(indices)

    def _batches(self, indices):
        if self.batch_size is None:
            for i in indices:
                yield self.collate_fn(self.dataset[i])
            return
        batch = []
        for i in indices:
            batch.append(self.dataset[i])
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        n = len(self.sampler)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# the names PyTorch prints for these objects (``<torch.utils.data.dataloader.DataLoader object at ...>``)
for _cls in (Dataset, TensorDataset, Subset):
    _cls.__module__ = "torch.utils.data.dataset"
for _cls in (Sampler, SequentialSampler, RandomSampler):
    _cls.__module__ = "torch.utils.data.sampler"
DataLoader.__module__ = "torch.utils.data.dataloader"
