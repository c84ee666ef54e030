"""Writes stamped/_build_info.py at build time: the classic reproducibility bug."""

import datetime
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_stamp(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib, "stamped", "_build_info.py")
        now = datetime.datetime.now().isoformat()
        target.write_text(f'BUILD_TIME = "{now}"\nBUILD_NONCE = "{os.urandom(8).hex()}"\n')


setup(cmdclass={"build_py": build_py_with_stamp})
