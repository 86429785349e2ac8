"""The site's build, in three steps: read, execute, render (ARCHITECTURE.md).

An MkDocs plugin (`tools.plugin`, named `chapters` in mkdocs.yml) over one
module per job. `make install` installs this package into the project's
virtual environment (editable: these files, as they are), which registers the
plugin with MkDocs.
"""
