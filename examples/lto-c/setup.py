from setuptools import Extension, setup

# Under -flto the code (and its debug info) is generated at link time, so the
# path maps must be on the link line too.
lto = ["-flto", "-g"]
setup(
    ext_modules=[
        Extension(
            "hello_lto._hello",
            ["src/hello_lto/_hello.c", "src/hello_lto/helper.c"],
            extra_compile_args=lto,
            extra_link_args=lto,
        )
    ]
)
