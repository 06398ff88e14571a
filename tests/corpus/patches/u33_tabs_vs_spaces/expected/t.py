def f():
	if x:
		return 2
	return 0
