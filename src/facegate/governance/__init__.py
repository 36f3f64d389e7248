"""Rules as data: the deployment manifest, the rule catalog and evaluate()."""
