"""The physics toolkit: one set of analyses for walker, DNN, process and external trajectories.

Every function accepts a schema Dataset or plain numpy ((time, coord) or
(walker, time, coord)) and returns xarray objects with named dims and provenance
attributes, or small result objects with estimates and confidence intervals.
Never imports torch.
"""
