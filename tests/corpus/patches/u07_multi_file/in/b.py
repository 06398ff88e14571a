import a
print(a.x)
