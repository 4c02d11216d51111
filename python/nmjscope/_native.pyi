"""Type stubs of the Rust extension (python/src/lib.rs)."""

from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

version: str
READ_OPTIONS: list[str]

class NmjscopeError(Exception):
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    byte: Optional[int]

class InputError(NmjscopeError): ...
class FileError(NmjscopeError): ...
class SettingsError(NmjscopeError): ...

class Recording:
    @property
    def file(self) -> str: ...
    @property
    def protocol(self) -> str: ...
    @property
    def sampling_rate_hz(self) -> float: ...
    @property
    def stim_rate_hz(self) -> Optional[float]: ...
    @property
    def labels(self) -> List[str]: ...
    @property
    def metadata(self) -> Dict[str, str]: ...
    @property
    def channel(self) -> Optional[str]: ...
    @property
    def format(self) -> str: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def times_ms(self) -> npt.NDArray[np.float64]: ...
    @property
    def responses(self) -> npt.NDArray[np.float64]: ...

class Report:
    def json(self) -> str: ...
    def measurements_csv(self) -> str: ...
    def text(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    @property
    def lems_criterion(self) -> str: ...
    @property
    def summary(self) -> str: ...
    def write(self, out_dir: str) -> str: ...

def read(path: str, options: Optional[str] = None) -> Recording: ...
def read_study(path: str, options: Optional[str] = None) -> List[Recording]: ...
def analyze_path(
    path: str,
    settings_json: Optional[str] = None,
    options: Optional[str] = None,
    identified: bool = False,
    markers: Optional[str] = None,
) -> Report: ...
def analyze_recordings(
    recordings: List[Recording], study_id: Optional[str] = None, settings_json: Optional[str] = None
) -> Report: ...
def simulate(
    condition: str = "normal",
    severity: float = 0.7,
    protocol: str = "rns",
    seed: int = 1,
    rate_hz: Optional[float] = None,
    muscle: str = "ADM",
    noise_mv: float = 0.01,
) -> Recording: ...
def jitter_path(
    path: str,
    settings_json: Optional[str] = None,
    options: Optional[str] = None,
    age: Optional[float] = None,
) -> Tuple[str, str]: ...
def simulate_jitter(
    condition: str = "normal",
    severity: float = 0.5,
    method: str = "voluntary",
    electrode: str = "concentric",
    pairs: int = 24,
    discharges: int = 100,
    seed: int = 1,
    muscle: str = "EDC",
) -> str: ...
def batch(
    root: str,
    out: str,
    jobs: Optional[int] = None,
    progress: Optional[Callable[[int, int], None]] = None,
    settings_json: Optional[str] = None,
    options: Optional[str] = None,
    force: bool = False,
    markers: Optional[str] = None,
    resume: bool = False,
    shard: Optional[Tuple[int, int]] = None,
    reports: bool = False,
) -> Tuple[int, int]: ...
def merge(parts: List[str], out: str, force: bool = False) -> Tuple[int, int]: ...
def find_studies(root: str) -> List[str]: ...
