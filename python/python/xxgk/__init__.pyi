import os
from decimal import Decimal
from typing import Any, BinaryIO, Dict, Iterable, List, Optional, Tuple, Union

import pandas

from ._xxgk import (
    SCHEMA_VERSION as SCHEMA_VERSION,
    BinaryInput as BinaryInput,
    DamagedContainer as DamagedContainer,
    Empty as Empty,
    Error as Error,
    NotAReport as NotAReport,
    ReadError as ReadError,
    TimedOut as TimedOut,
    TooLarge as TooLarge,
    Unsupported as Unsupported,
    __version__ as __version__,
)

Source = Union[str, os.PathLike[str], bytes, bytearray, memoryview, BinaryIO]
Sources = Union[str, os.PathLike[str], Iterable[Union[str, os.PathLike[str]]]]

def parse(
    source: Source, *, encoding: Optional[str] = ..., format: Optional[str] = ...
) -> Dict[str, Any]: ...
def files_under(sources: Sources) -> List[str]: ...
def tables(
    sources: Sources, jobs: Optional[int] = ..., *, max_size: Optional[int] = ...
) -> Tuple[pandas.DataFrame, pandas.DataFrame]: ...
def cells(sources: Sources, jobs: Optional[int] = ...) -> pandas.DataFrame: ...
def reports(sources: Sources, jobs: Optional[int] = ...) -> pandas.DataFrame: ...
def read_database(path: Union[str, os.PathLike[str]]) -> Dict[str, pandas.DataFrame]: ...
