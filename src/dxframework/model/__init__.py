"""The model: indicators, frameworks as graphs, units, data sets, tasks, crosswalks.

Plain values, no input or output: the readers are in :mod:`dxframework.io`.
"""
