"""Numeric cores of the pipeline stages: pure functions over numpy arrays.

Every function takes arrays shaped ``(..., units, indicators)``: the unit axis is ``-2``, the
indicator axis ``-1``, and any leading axes (periods, parameter variants, replications) are
carried through, so thousands of variants are computed in one call. Missing values are NaN.
Parameters that vary by indicator are arrays broadcasting against the last axis.
"""
