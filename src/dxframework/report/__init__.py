"""Documents: the proposal, the annual plan and the task list, as Markdown, HTML and DOCX.

The modules import their optional extras (matplotlib, python-docx, Babel) themselves; nothing
is imported here, so that ``dxf`` commands that write no document do not need them.
"""
