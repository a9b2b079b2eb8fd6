# a comment
@problemName Small
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true a b
@data
0.1,0.2,0.3:1,2,3:a
-1.5,2e-3,4:0.0,-0.5,7:b
3,2,1:1,1,1:a
