import a
print(a.x, a.y)
