"""What pyproject.toml cannot say: the package list found under policies/, and cli.py copied
into the built package as entitlements/cli.py (a file cannot be renamed into a package there)."""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPy(build_py):
    def run(self):
        if not self.editable_mode:  # a build/ left by an earlier layout (a top-level cli.py, policies/)
            shutil.rmtree(self.build_lib, ignore_errors=True)  # would be packed into the wheel as well
        super().run()
        if not self.editable_mode:  # an editable install imports ./cli.py through entitlements/__init__.py
            target = Path(self.build_lib, "entitlements", "cli.py")
            self.copy_file(str(HERE / "cli.py"), str(target))

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            outputs.append(str(Path(self.build_lib, "entitlements", "cli.py")))
        return outputs


policy_packages = ["entitlements.policies." + name for name in find_packages(str(HERE / "policies"))]
setup(packages=["entitlements", "entitlements.web", "entitlements.policies", *policy_packages], cmdclass={"build_py": BuildPy})
