"""The bundled scenarios, shipped inside the package as ``callsim.scenarios`` (see
``callsim.scenario.bundled``): YAML files and the CSV tables they name, no code."""
