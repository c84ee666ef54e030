"""Which paths vary in a build and how each toolchain is told to hide them.

:mod:`.discovery` finds the varying paths, :mod:`.plan` turns them into one
hook call's environment and config-settings, and the renderers (:mod:`.cflags`,
:mod:`.cmake`, :mod:`.rustflags`, :mod:`.rpaths`, ...) write what each
toolchain reads. A new path to remap starts in :mod:`.discovery`.
"""
