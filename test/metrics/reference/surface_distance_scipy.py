# Independent reference for test/metrics/surface-distance.test.ts ("two unions of balls"): scipy.ndimage
# boundary (binary_erosion, 6-connectivity, outside = background) + distance_transform_edt(sampling=spacing),
# np.percentile (linear). Run with /usr/bin/python3 (Debian scipy 1.10); its printed numbers are pasted into the test.
import numpy as np
from scipy import ndimage
def ball(shape, c, r):
    i,j,k = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
    return ((i-c[0])**2+(j-c[1])**2+(k-c[2])**2 <= r*r)
shape=(30,26,14); sp=(0.8,1.1,2.5)
A = ball(shape,(12,12,6),7) | ball(shape,(22,8,4),4)
B = ball(shape,(14,13,7),6.5) | ball(shape,(5,20,9),3)
fp = ndimage.generate_binary_structure(3,1)
def surf(m): return m & ~ndimage.binary_erosion(m, fp, border_value=0)
def area(m):
    pad=np.pad(m,1)
    a=np.zeros(m.shape)
    fa=[sp[1]*sp[2], sp[0]*sp[2], sp[0]*sp[1]]
    for ax in range(3):
        for sh in (1,-1):
            nb=np.roll(pad,sh,axis=ax)[1:-1,1:-1,1:-1]
            a += (m & ~nb)*fa[ax]
    return a
sA,sB=surf(A),surf(B)
dB=ndimage.distance_transform_edt(~sB, sampling=sp)
dA=ndimage.distance_transform_edt(~sA, sampling=sp)
ab=dB[sA]; ba=dA[sB]
print('nA',sA.sum(),'nB',sB.sum())
print('hd',max(ab.max(),ba.max()))
print('hd95',max(np.percentile(ab,95),np.percentile(ba,95)))
print('assd',(ab.sum()+ba.sum())/(len(ab)+len(ba)))
aA,aB=area(A),area(B)
for tau in (1.0,2.0):
    print('nsd',tau,(aA[sA][ab<=tau].sum()+aB[sB][ba<=tau].sum())/(aA.sum()+aB.sum()))
inter=(A&B).sum(); print('dice',2*inter/(A.sum()+B.sum()), 'A',A.sum(),'B',B.sum(),'inter',inter)
