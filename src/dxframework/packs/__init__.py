"""Metric packs: installable frameworks with data layouts and pipelines."""

from dxframework.packs.pack import MetricPack

__all__ = ["MetricPack"]
